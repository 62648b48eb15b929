/// Which signed messages a node runs: the keys it trusts and whether it requires signatures at all.
///
/// A node that trusts at least one key requires signatures (so does `--require-signatures`): then a message
/// must be signed by a trusted key, or by the key pinned for the node it comes from, except for the methods
/// anyone may call (``openMethods``). There, and under an ACL, a signature that does not match its message is
/// refused; a message past its ttl is refused everywhere.
public struct TrustPolicy: Sendable, Equatable {
    public var trustedKeys: Set<String>
    public var requireSignatures: Bool

    /// What an unsigned message, or one from an unknown signer, may still call.
    public static let openMethods: Set<Method> = [.ping, .hello, .bye, .status]

    public init(trustedKeys: Set<String> = [], requireSignatures: Bool = false) {
        self.trustedKeys = trustedKeys
        self.requireSignatures = requireSignatures || !trustedKeys.isEmpty
    }

    /// Why an ACK from `node` must not be believed, or nil. A node that requires signatures takes an ACK only
    /// when it is signed by the key pinned for `node` or a key it trusts: so a forged "done" (or forged output)
    /// is ignored, and the message is retried until its real answer comes.
    public func refusal(ofReply reply: Reply, from node: String, pinned: String?) -> String? {
        guard requireSignatures else { return nil }
        guard let signer = reply.signedBy, reply.hasValidSignature else {
            return "an ACK for \(reply.id) claiming to come from \(node) is unsigned or its signature does not match"
        }
        guard signer == pinned || trustedKeys.contains(signer) else {
            return "an ACK for \(reply.id) from \(node) is signed by key \(signer), which is not \(node)'s"
        }
        return nil
    }

    /// Whether `message` carries a valid signature by a key this node trusts, or the one pinned for its sender.
    public func trusts(_ message: Message, pinned: String?) -> Bool {
        guard let signer = message.signedBy, message.hasValidSignature else { return false }
        return trustedKeys.contains(signer) || signer == pinned
    }

    /// Why `message` must be refused, or nil when it may run. `pinned` is the key pinned for its sender.
    ///
    /// A node that requires no signatures does not check them either: whoever could alter a signed message
    /// could as well send an unsigned one, which such a node runs. `checkSignatures` asks for the check anyway
    /// (an ACL in force goes by who signed).
    public func refusal(of message: Message, pinned: String?, now: Timestamp = .now, checkSignatures: Bool = false) -> String? {
        let signed = message.signature != nil || message.signedBy != nil
        if signed, requireSignatures || checkSignatures, !message.hasValidSignature {
            return "the signature does not match the message (altered in flight, or forged)"
        }
        if let expiresAt = message.expiresAt, now > expiresAt {
            return "the message expired at \(expiresAt) (ttl \(message.ttl ?? 0) s)"
        }
        guard requireSignatures, !Self.openMethods.contains(message.method) else { return nil }
        guard let signer = message.signedBy, signed else {
            return "unsigned message, and this node requires signatures for `\(message.method)`"
        }
        guard trustedKeys.contains(signer) || signer == pinned else {
            return "signed by key \(signer), which this node does not trust"
        }
        return nil
    }
}
