/// A message's signature as it travels: in two NATS headers beside the payload, over the exact bytes published.
///
/// The signer signs the subject and the payload as they go on the wire (``signedBytes(subject:payload:)``), so
/// a receiver checks a message before it parses a byte of it: an unsigned payload, or one signed by a key it does
/// not trust, is refused without being decoded; an altered one fails the check. The subject is covered too, so a
/// signed payload cannot be replayed on another subject (another type, another node). The same bytes are stored at
/// accept and published as stored, every attempt.
public struct WireSignature: Sendable, Equatable {
    /// The signer's public key (ed25519, base64): header `Bosun-Key`.
    public var key: String
    /// The signature (base64): header `Bosun-Sig`.
    public var value: String
    /// The sender takes an ACK with a MAC instead of a signature (``NodeKey/authenticate(_:for:)``): header
    /// `Bosun-Ack: mac`. Offered only by a sender whose current key made the signature, the one it can check a MAC with.
    public var offersMACAnswer: Bool
    /// The sender also takes several such ACKs in one message (``ReplyBatch``): header `Bosun-Ack-Batch: yes`.
    public var offersBatchAnswer: Bool
    /// ``value`` is an HMAC-SHA-256 under the key the sender and this node share (``NodeKey/pairKey(with:)``), in
    /// header `Bosun-Mac` instead of `Bosun-Sig`: what a central node sends a node it knows the key of, once the node
    /// said it takes such messages (header `Bosun-Mac-Messages: yes` on its ACKs). Only the receiver can check it
    /// (``NodeKey/verifiesMAC(_:subject:payload:)``); for it, it proves the sender as a signature would, at a
    /// twentieth of the cost.
    public var isMAC: Bool

    public init(key: String, value: String, offersMACAnswer: Bool = false, offersBatchAnswer: Bool = false, isMAC: Bool = false) {
        self.key = key
        self.value = value
        self.offersMACAnswer = offersMACAnswer
        self.offersBatchAnswer = offersBatchAnswer
        self.isMAC = isMAC
    }

    public static let keyHeader = "Bosun-Key"
    public static let valueHeader = "Bosun-Sig"
    public static let answerHeader = "Bosun-Ack"
    public static let macAnswer = "mac"
    /// The header of a message's MAC (the same as a batch of ACKs carries its own in).
    public static let macHeader = ReplyBatch.macHeader
    /// On an ACK: the answering node takes messages with a MAC instead of a signature (``isMAC``).
    public static let macMessagesHeader = "Bosun-Mac-Messages"
    /// Longer header values are not a key or signature (a base64 key is 44 characters, a signature 88): ignored
    /// before anything is decoded.
    static let longestHeader = 128

    /// What is signed: a domain tag, the subject, a separator that cannot occur in a subject, the payload.
    public static func signedBytes(subject: String, payload: some Collection<UInt8>) -> [UInt8] {
        taggedBytes("bosun-wire-v2\n", subject: subject, payload: payload)
    }

    /// `tag`, `subject`, a separator that cannot occur in a subject, and `payload`: what a signature or MAC covers.
    static func taggedBytes(_ tag: StaticString, subject: String, payload: some Collection<UInt8>) -> [UInt8] {
        var bytes = [UInt8](UnsafeBufferPointer(start: tag.utf8Start, count: tag.utf8CodeUnitCount))
        bytes.reserveCapacity(bytes.count + subject.utf8.count + 1 + payload.count)
        bytes += subject.utf8
        bytes.append(0)
        bytes += payload
        return bytes
    }

    /// What a message's MAC covers: as for a signature, under a tag of its own.
    public static func macBytes(subject: String, payload: some Collection<UInt8>) -> [UInt8] {
        taggedBytes("bosun-wire-mac-v1\n", subject: subject, payload: payload)
    }

    /// Whether this is a valid signature of `payload` on `subject` by ``key`` (not whether the key is trusted).
    /// Never for a MAC, which only the receiver's key can check.
    public func verifies(subject: String, payload: some Collection<UInt8>) -> Bool {
        !isMAC && NodeKey.verify(Self.signedBytes(subject: subject, payload: payload), signature: value, publicKey: key)
    }
}

extension NodeKey {
    /// A MAC of `payload` on `subject` for the node whose key is `peer` (instead of a signature: ``WireSignature/isMAC``);
    /// nil if `peer` is not a valid key.
    public func mac(subject: String, payload: some Collection<UInt8>, for peer: String) -> WireSignature? {
        guard let key = pairKey(with: peer), let mac = Self.mac(of: WireSignature.macBytes(subject: subject, payload: payload), under: key)
        else { return nil }
        return WireSignature(key: publicKey, value: mac, isMAC: true)
    }

    /// Whether `signature` is a right MAC of `payload` on `subject`, made for this key by the holder of its ``key``.
    public func verifiesMAC(_ signature: WireSignature, subject: String, payload: some Collection<UInt8>) -> Bool {
        guard signature.isMAC, let key = pairKey(with: signature.key) else { return false }
        return Self.macMatches(signature.value, bytes: WireSignature.macBytes(subject: subject, payload: payload), under: key)
    }

    /// This key's signature of `payload` on `subject`, to travel in the message's headers.
    public func signature(subject: String, payload: some Collection<UInt8>) -> WireSignature? {
        signature(of: WireSignature.signedBytes(subject: subject, payload: payload))
            .map { WireSignature(key: publicKey, value: $0) }
    }
}
