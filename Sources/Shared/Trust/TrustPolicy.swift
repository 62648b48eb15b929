import Synchronization

/// Which messages a node takes, safe by default.
///
/// A message is checked before a byte of it is decoded (``admit(_:subject:)``): anything but the open methods
/// (``openMethods``) must carry a valid signature (``WireSignature``) by a key this node trusts: one given with
/// `--trust` (or learned in a key rotation), or, on the central node, the approved key of the node it comes from.
/// Only `--insecure-accept-unsigned` (a lab's choice) lets unsigned messages through; a signature that does not
/// match its message is refused everywhere.
public struct TrustPolicy: Sendable, Equatable {
    /// The keys given with `--trust`.
    public var trustedKeys: Set<String>
    /// The keys of `<data-dir>/trusted-keys`, which key rotations change while the node runs (shared by every
    /// copy of the policy).
    public var learned = LearnedKeys()
    /// This node's own key: what it sends itself is its own.
    public var ownKey: String?
    /// `--insecure-accept-unsigned`: unsigned messages, and messages signed by keys nobody trusts, are taken.
    public var acceptUnsigned: Bool
    /// The central node: it keeps a registry of nodes' keys and takes a node's messages only under its approved key.
    public var pinsNodes: Bool
    /// `--auto-approve`: a node's first signed hello approves its key (labs, the demo).
    public var autoApprove: Bool

    /// Whether `key` is one this node trusts: given, learned, or its own.
    public func isTrusted(_ key: String) -> Bool {
        if key == ownKey { return true }
        return learned.verdict(key) ?? trustedKeys.contains(key)
    }

    /// Whether this node trusts any key but its own.
    public var hasTrustedKeys: Bool { trustedKeys.contains { !learned.revokes($0) } || !learned.isEmpty }

    /// What an unsigned message, or one from an unknown signer, may still call.
    public static let openMethods: Set<Method> = [.ping, .hello, .bye, .status]

    public init(trustedKeys: Set<String> = [], acceptUnsigned: Bool = false, pinsNodes: Bool = false, autoApprove: Bool = false) {
        self.trustedKeys = trustedKeys
        self.acceptUnsigned = acceptUnsigned
        self.pinsNodes = pinsNodes
        self.autoApprove = autoApprove
    }

    /// A message checked before decoding: who signed it, and the registry's records of that key.
    public struct Admission: Sendable {
        /// The key whose signature was checked, nil for an unsigned message.
        public var signer: String?
        /// The nodes the registry knows under that key (on the central node).
        public var owners: [Store.KeyRecord]
    }

    /// Why a message was refused: a short kind (what refusals are counted by) and the reason, which names the fix.
    public struct Refusal: Error, Sendable, Equatable {
        public enum Kind: String, Sendable {
            case unsigned, untrustedKey, badSignature, tooLarge, malformed, notApproved, rejectedNode, wrongSender, expired, acl
            case unknownMethod
        }
        public var kind: Kind
        public var reason: String
    }

    /// Checks a message's signature from its headers against the exact bytes, before decoding anything: a
    /// refused payload costs a lookup and, at most, one signature check. `owners` gives the registry's records of
    /// a key (the central node's). `signatureChecked`: the signature is known to be valid already (a message of a
    /// ``MessageBatch``, whose one signature covers it), so only who made it is judged.
    public func admit(
        _ inbound: NATSMessage, subject: Subject, node: String, signatureChecked: Bool = false,
        owners: (String) -> [Store.KeyRecord] = { _ in [] }
    ) -> Result<Admission, Refusal> {
        if let tooLarge = Self.sizeRefusal(inbound.payload.count, of: "a payload") { return .failure(tooLarge) }
        let open = Self.openMethods.contains(subject.method)
        guard let signature = inbound.signature else {
            guard open || acceptUnsigned else { return .failure(unsigned(subject.method, node: node)) }
            return .success(Admission(signer: nil, owners: []))
        }
        // The registry is asked only where its answer counts: a node's own key on anything but the open methods
        // (a trusted key needs no owner; hellos and the like are judged by their handlers).
        let trusted = isTrusted(signature.key)
        let records = pinsNodes && !open && !trusted ? owners(signature.key) : []
        if !trusted, !open, !acceptUnsigned {
            guard let record = records.first(where: { $0.state == .approved }) ?? records.first else {
                return .failure(Refusal(kind: .untrustedKey, reason: untrusted(signature.key, node: node)))
            }
            switch record.state {
            case .approved: break
            case .pending:
                return .failure(Refusal(kind: .notApproved,
                    reason: "node \(record.node) has not been approved yet: run `bosun nodes approve \(record.node)` on \(node)"))
            case .rejected:
                return .failure(Refusal(kind: .rejectedNode, reason: "node \(record.node) was rejected by the operator"))
            }
        }
        guard signatureChecked || signature.verifies(subject: inbound.subject, payload: inbound.payload) else {
            return .failure(Self.badSignature)
        }
        return .success(Admission(signer: signature.key, owners: records))
    }

    /// The refusal of `what` (a payload, a batch) of `bytes` bytes, past the limit of one message; nil within it.
    static func sizeRefusal(_ bytes: Int, of what: String) -> Refusal? {
        guard bytes > MessageLimits.messageBytes else { return nil }
        return Refusal(kind: .tooLarge, reason: "\(what) of \(bytes) bytes; the limit is \(MessageLimits.messageBytes)")
    }

    /// A signature that does not match what it signs.
    public static let badSignature = Refusal(kind: .badSignature,
        reason: "the signature does not match the message (altered in flight, or forged)")

    /// A MAC that does not match what it covers under this node's key.
    public static let badMAC = Refusal(kind: .badSignature,
        reason: "the MAC does not match the message (altered in flight, forged, or made for another key of this node: "
            + "its sender has an old key of it on record)")

    /// Why a decoded message must still be refused, or nil when it may run: a node's key used under another
    /// name, or a message past its ttl.
    public func refusal(of message: Message, admission: Admission, now: Timestamp = .now) -> Refusal? {
        if let signer = admission.signer, !isTrusted(signer), !Self.openMethods.contains(message.method),
            !acceptUnsigned, !admission.owners.contains(where: { $0.node == message.fromNode && $0.state == .approved })
        {
            let owner = admission.owners.first?.node ?? "another node"
            return Refusal(kind: .wrongSender,
                reason: "signed with the key of \(owner), but claims to come from \(message.fromNode ?? "nobody")")
        }
        if let expiresAt = message.expiresAt, now > expiresAt {
            return Refusal(kind: .expired, reason: "the message expired at \(expiresAt) (ttl \(message.ttl ?? 0) s)")
        }
        return nil
    }

    /// Whether `signer` is a key this node trusts (for an ACL's `trusted` identity).
    public func trusts(_ signer: String?, owners: [Store.KeyRecord] = []) -> Bool {
        guard let signer else { return false }
        return isTrusted(signer) || owners.contains { $0.publicKey == signer && $0.state == .approved }
    }

    /// Why an ACK from `node` must not be believed, or nil. It must be signed by a key this node trusts or the one
    /// on record for `node`; for a node with no key on record, a valid signature is enough on the central node (it
    /// sent the message, to a reply subject only the receiver saw) and on a node that trusts no key at all.
    /// An ACK may carry a MAC instead of a signature (``NodeKey/authenticate(_:for:)``): `asker` is the key that
    /// signed the message answered, whose pair key with the answering one checks it.
    public func refusal(ofReply reply: Reply, from node: String, record: Store.KeyRecord?, asker: NodeKey? = nil) -> String? {
        guard let signer = reply.signedBy, reply.signature != nil || reply.mac != nil else {
            return acceptUnsigned ? nil : "an ACK for \(reply.id) claiming to come from \(node) is unsigned"
        }
        if reply.signature != nil {
            guard reply.hasValidSignature else {
                return "an ACK for \(reply.id) claiming to come from \(node): its signature does not match"
            }
        } else {
            guard let asker, let key = asker.pairKey(with: signer) else {
                return "an ACK for \(reply.id) claiming to come from \(node) carries a MAC this node cannot check"
            }
            guard reply.hasValidMAC(key: key) else {
                return "an ACK for \(reply.id) claiming to come from \(node): its MAC does not match"
            }
        }
        return refusal(ofAnswerBy: signer, "an ACK for \(reply.id)", from: node, record: record)
    }

    /// Why a batch of ACKs from `node` (``ReplyBatch``) must not be believed, or nil: its MAC, checked with `asker`'s
    /// pair key over the bytes as they came, and its key, trusted as a single ACK's is. One with no MAC (from a node
    /// that signs nothing) is believed only as an unsigned single ACK is: by a node that takes unsigned answers.
    public func refusal(
        ofBatch answer: NATSMessage, from node: String, record: Store.KeyRecord?, asker: NodeKey?
    ) -> String? {
        guard let authentication = answer.batchAuthentication else {
            return answer.isUnsignedReplyBatch && acceptUnsigned
                ? nil : "a batch of ACKs claiming to come from \(node) carries no MAC"
        }
        guard let asker, let key = asker.pairKey(with: authentication.key) else {
            return "a batch of ACKs claiming to come from \(node) carries a MAC this node cannot check"
        }
        guard ReplyBatch.hasValidMAC(authentication.mac, subject: answer.subject, payload: answer.payload, key: key) else {
            return "a batch of ACKs claiming to come from \(node): its MAC does not match"
        }
        return refusal(ofAnswerBy: authentication.key, "a batch of ACKs", from: node, record: record)
    }

    /// Why an answer (`what`) whose signature or MAC by `signer` is valid must not be believed, or nil.
    private func refusal(ofAnswerBy signer: String, _ what: String, from node: String, record: Store.KeyRecord?) -> String? {
        if isTrusted(signer) || acceptUnsigned { return nil }
        guard let record else {
            return pinsNodes || !hasTrustedKeys
                ? nil : "\(what) from \(node) is signed by key \(signer), which this node does not trust"
        }
        if record.state == .rejected { return "\(what) from \(node), a node the operator rejected" }
        return signer == record.publicKey ? nil : "\(what) from \(node) is signed by key \(signer), which is not \(node)'s"
    }

    private func unsigned(_ method: Method, node: String) -> Refusal {
        let fix =
            !hasTrustedKeys && !pinsNodes
            ? "; it trusts no key yet: run `bosun keys show` on the central node, then start this agent with "
                + "--trust KEY (or add the key to its trusted-keys file)"
            : ""
        return Refusal(kind: .unsigned,
            reason: "unsigned message: node \(node) runs `\(method)` only when it is signed by a key it trusts\(fix)")
    }

    /// The refusal of a message with a MAC (``WireSignature/isMAC``) by a key this node does not trust, or nil: only
    /// a trusted key (the central node's) sends a node MACs, so for any other the MAC is not worked out at all (a key
    /// agreement, an X25519, per key: made-up keys must not cost that).
    public func macRefusal(key: String, node: String) -> Refusal? {
        isTrusted(key) ? nil : Refusal(kind: .untrustedKey, reason: untrusted(key, node: node))
    }

    private func untrusted(_ key: String, node: String) -> String {
        let shown = NodeKey.fingerprint(of: key).map { "\(key) (\($0))" } ?? key
        if pinsNodes {
            return "signed by key \(shown), which belongs to no approved node and is not trusted by \(node)"
        }
        return "signed by key \(shown), which node \(node) does not trust: if it is the central node's, start the agent "
            + "with --trust \(key) (or add it to its trusted-keys file)"
    }
}

/// Keys a node learned while running (a central key rotation), and keys it was told to stop trusting: shared by
/// every copy of its trust policy.
public final class LearnedKeys: Sendable, Equatable {
    private let entries: Mutex<TrustedKeys.Entries>

    public init(_ entries: TrustedKeys.Entries = TrustedKeys.Entries()) { self.entries = Mutex(entries) }

    public func revokes(_ key: String) -> Bool { entries.withLock { $0.revoked.contains(key) } }

    /// What the learned entries say of `key`, in one look: false when revoked, true when learned, else nil.
    public func verdict(_ key: String) -> Bool? {
        entries.withLock { entries in
            entries.revoked.contains(key) ? false : entries.trusted.contains(key) ? true : nil
        }
    }
    public var isEmpty: Bool { entries.withLock { $0.trusted.isEmpty } }

    /// Puts `entries` (the file as it is now) in force.
    public func replace(with new: TrustedKeys.Entries) { entries.withLock { $0 = new } }

    public static func == (lhs: LearnedKeys, rhs: LearnedKeys) -> Bool { lhs === rhs }
}
