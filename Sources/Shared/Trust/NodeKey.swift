import Crypto
import FoundationEssentials

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A node's ed25519 key pair: it signs every message the node sends and every ACK it gives.
///
/// Kept in `<data-dir>/node.key` (the raw private key, base64, mode 0600), created on first start; or given by
/// path. The public key, base64, is how other nodes name and trust this one (`bosun keys show`).
public struct NodeKey: Sendable {
    private let privateKey: Curve25519.Signing.PrivateKey

    /// The public key, base64: what `--trust` takes and hellos carry.
    public var publicKey: String { privateKey.publicKey.rawRepresentation.base64EncodedString() }

    public init() {
        privateKey = Curve25519.Signing.PrivateKey()
    }

    /// Reads the key at `path`, creating it (mode 0600) when there is none.
    public static func loadOrCreate(path: String) throws(FileSystem.Failure) -> NodeKey {
        if FileSystem.exists(path) { return try load(path: path) }
        let key = NodeKey()
        let text = Array((key.privateKey.rawRepresentation.base64EncodedString() + "\n").utf8)
        try FileSystem.write(text, to: path, mode: 0o600)
        return key
    }

    /// Reads the key at `path`; the error names the file.
    public static func load(path: String) throws(FileSystem.Failure) -> NodeKey {
        let text = String(decoding: try FileSystem.read(path), as: UTF8.self).trimmingSpaces
        guard let raw = Data(base64Encoded: text), let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: raw) else {
            throw FileSystem.Failure(path: path, operation: "reading the node key (expected a base64 ed25519 private key)", errno: EINVAL)
        }
        return NodeKey(privateKey: key)
    }

    private init(privateKey: Curve25519.Signing.PrivateKey) {
        self.privateKey = privateKey
    }

    /// `message` with `signedBy` and `signature` set.
    public func sign(_ message: Message) -> Message {
        var signed = message
        signed.signedBy = publicKey
        signed.signature = (try? privateKey.signature(for: message.signedBytes))?.base64EncodedString()
        return signed
    }

    /// `reply` with `signedBy` and `signature` set.
    public func sign(_ reply: Reply) -> Reply {
        var signed = reply
        signed.signedBy = publicKey
        signed.signature = (try? privateKey.signature(for: reply.signedBytes))?.base64EncodedString()
        return signed
    }

    /// Whether `signature` (base64) is `publicKey`'s (base64) signature of `bytes`.
    public static func verify(_ bytes: [UInt8], signature: String, publicKey: String) -> Bool {
        guard let keyBytes = Data(base64Encoded: publicKey), let signatureBytes = Data(base64Encoded: signature),
            let key = try? Curve25519.Signing.PublicKey(rawRepresentation: keyBytes)
        else { return false }
        return key.isValidSignature(signatureBytes, for: bytes)
    }

    /// Whether `text` is a public key in the form `--trust` takes.
    public static func isPublicKey(_ text: String) -> Bool {
        guard let bytes = Data(base64Encoded: text) else { return false }
        return (try? Curve25519.Signing.PublicKey(rawRepresentation: bytes)) != nil
    }
}

/// The bytes a signature covers: every field that says what the receiver does, in a fixed order, each with its
/// length, so no two different messages (or replies) share them and nothing can be moved between fields.
struct CanonicalBytes {
    private(set) var bytes: [UInt8]

    init(_ domain: String) {
        bytes = []
        add(domain)
    }

    mutating func add(_ text: String?) {
        guard let text else {
            bytes += [0xFF, 0xFF, 0xFF, 0xFF]
            return
        }
        let utf8 = Array(text.utf8)
        let count = UInt32(clamping: utf8.count)
        bytes += [UInt8(count >> 24), UInt8((count >> 16) & 0xFF), UInt8((count >> 8) & 0xFF), UInt8(count & 0xFF)]
        bytes += utf8
    }

    mutating func add(_ texts: [String]?) {
        add(texts.map { String($0.count) })
        for text in texts ?? [] { add(text) }
    }
}

extension Message {
    /// What the sender signs: id, from, to, method, type, arguments, data, times; not the delivery settings
    /// (ackTimeout, retries, retryWait), which only concern the sender.
    public var signedBytes: [UInt8] {
        var canonical = CanonicalBytes("bosun-message-v1")
        canonical.add(id)
        canonical.add(fromNode)
        canonical.add(toNode)
        canonical.add(method.rawValue)
        canonical.add(effectiveType.rawValue)
        canonical.add(methodArgs)
        canonical.add(data)
        canonical.add(dataEncoding)
        canonical.add(methodTimeout.map { "\($0)" })
        canonical.add(createdAt?.rfc3339)
        canonical.add(ttl.map { "\($0)" })
        canonical.add(replyMethod?.rawValue)
        return canonical.bytes
    }

    /// Whether the message carries a valid signature by the key it names (not whether that key is trusted).
    public var hasValidSignature: Bool {
        guard let signedBy, let signature else { return false }
        return NodeKey.verify(signedBytes, signature: signature, publicKey: signedBy)
    }
}

extension Reply {
    /// What the answering node signs: the whole result.
    public var signedBytes: [UInt8] {
        var canonical = CanonicalBytes("bosun-reply-v1")
        canonical.add(id)
        canonical.add(fromNode)
        canonical.add(status.rawValue)
        canonical.add(exitCode.map { "\($0)" })
        canonical.add(stdout)
        canonical.add(stderr)
        canonical.add(truncated.map { "\($0)" })
        canonical.add(startedAt?.rfc3339)
        canonical.add(finishedAt?.rfc3339)
        canonical.add(error)
        return canonical.bytes
    }

    /// Whether the reply carries a valid signature by the key it names.
    public var hasValidSignature: Bool {
        guard let signedBy, let signature else { return false }
        return NodeKey.verify(signedBytes, signature: signature, publicKey: signedBy)
    }
}
