import CCrypto
import FoundationEssentials
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A node's ed25519 key pair: it signs every message the node sends and every ACK it gives.
///
/// Kept in `<data-dir>/node.key` (the raw private key, base64, mode 0600), created on first start; or given by
/// path. The public key, base64, is how other nodes name and trust this one (`bosun keys show`). The
/// cryptography is libsodium's (``CCrypto``).
public struct NodeKey: Sendable {
    private let privateKey: [UInt8]
    let signer: EVPKey
    /// The public key, base64: what `--trust` takes and hellos carry.
    public let publicKey: String

    /// A new random key pair.
    public init() {
        var raw = [UInt8](repeating: 0, count: 32)
        precondition(bosun_ed25519_generate(&raw) == 1, "libsodium cannot generate an ed25519 key")
        // Any 32 random bytes are a valid private key, with a public half.
        self.init(raw: raw)!
    }

    private init?(raw: [UInt8]) {
        var publicBytes = [UInt8](repeating: 0, count: 32)
        guard raw.count == 32, bosun_ed25519_public_key(raw, &publicBytes) == 1,
            let signer = EVPKey(bosun_ed25519_private_key_new(raw))
        else { return nil }
        privateKey = raw
        self.signer = signer
        publicKey = Data(publicBytes).base64EncodedString()
    }

    /// Reads the key at `path`, creating it (mode 0600) when there is none.
    public static func loadOrCreate(path: String) throws(FileSystem.Failure) -> NodeKey {
        if FileSystem.exists(path) { return try load(path: path) }
        let key = NodeKey()
        try key.save(path: path)
        return key
    }

    /// Writes this key to `path` (mode 0600), replacing what is there.
    public func save(path: String) throws(FileSystem.Failure) {
        try FileSystem.write(Array((Data(privateKey).base64EncodedString() + "\n").utf8), to: path, mode: 0o600)
    }

    /// A short form of a public key for people to compare: the first 8 bytes of its SHA-256, in hex pairs
    /// (`SHA256:3f9a:0c1e:77b2:d405`). Nil for text that is not a key.
    public static func fingerprint(of publicKey: String) -> String? {
        guard let raw = Data(base64Encoded: publicKey), raw.count == 32 else { return nil }
        let hex = Array(SHA256Digest.hash(raw).prefix(16))
        return "SHA256:" + stride(from: 0, to: 16, by: 4).map { String(hex[$0..<$0 + 4]) }.joined(separator: ":")
    }

    /// Reads the key at `path`; the error names the file.
    public static func load(path: String) throws(FileSystem.Failure) -> NodeKey {
        let text = String(decoding: try FileSystem.read(path), as: UTF8.self).trimmingSpaces
        guard let raw = Data(base64Encoded: text), let key = NodeKey(raw: Array(raw)) else {
            throw FileSystem.Failure(path: path, operation: "reading the node key (expected a base64 ed25519 private key)", errno: EINVAL)
        }
        return key
    }

    /// `reply` with `signedBy` and `signature` set.
    public func sign(_ reply: Reply) -> Reply {
        var signed = reply
        signed.signedBy = publicKey
        signed.mac = nil
        signed.signature = signature(of: reply.signedBytes)
        return signed
    }

    func signature(of bytes: [UInt8]) -> String? {
        var signature = [UInt8](repeating: 0, count: 64)
        guard bosun_ed25519_sign_with(signer.pointer, bytes, bytes.count, &signature) == 1 else { return nil }
        return Data(signature).base64EncodedString()
    }

    /// Whether `signature` (base64) is `publicKey`'s (base64) signature of `bytes`.
    public static func verify(_ bytes: [UInt8], signature: String, publicKey: String) -> Bool {
        guard let signed = Data(base64Encoded: signature), signed.count == 64, let key = verifier(for: publicKey) else {
            return false
        }
        return bosun_ed25519_verify_with(key.pointer, bytes, bytes.count, Array(signed)) == 1
    }

    /// Parsed public keys, kept: a fleet has a few signers and each signs many messages.
    private static let verifiers = Mutex<[String: EVPKey]>([:])

    private static func verifier(for publicKey: String) -> EVPKey? {
        if let known = verifiers.withLock({ $0[publicKey] }) { return known }
        guard let raw = Data(base64Encoded: publicKey), raw.count == 32,
            let key = EVPKey(bosun_ed25519_public_key_new(Array(raw)))
        else { return nil }
        verifiers.withLock { verifiers in
            // Bounded: a flood of made-up keys must not grow it without end.
            if verifiers.count >= 4096 { verifiers.removeAll(keepingCapacity: true) }
            verifiers[publicKey] = key
        }
        return key
    }

    /// Whether `text` is a public key in the form `--trust` takes.
    public static func isPublicKey(_ text: String) -> Bool {
        Data(base64Encoded: text)?.count == 32
    }
}

/// A key in libsodium's form (a private key expanded, or a public key), freed with the last reference.
final class EVPKey: @unchecked Sendable {
    // Safe to share: only read once made.
    let pointer: UnsafeMutableRawPointer

    init?(_ pointer: UnsafeMutableRawPointer?) {
        guard let pointer else { return nil }
        self.pointer = pointer
    }

    deinit { bosun_ed25519_key_free(pointer) }
}

/// SHA-256, fed piece by piece (a file copy's chunks and whole): libsodium's.
public struct SHA256Digest: ~Copyable {
    private let state: UnsafeMutableRawPointer

    public init() {
        // Allocation is the only way this fails.
        state = bosun_sha256_new()!
    }

    public mutating func update(_ bytes: some Collection<UInt8>) {
        _ = Array(bytes).withUnsafeBufferPointer { bosun_sha256_update(state, $0.baseAddress, $0.count) }
    }

    /// The digest as lowercase hex; the state is used up.
    public consuming func finish() -> String {
        var digest = [UInt8](repeating: 0, count: 32)
        _ = bosun_sha256_finish(state, &digest)
        discard self
        return SHA256Digest.hex(digest)
    }

    deinit {
        var unused = [UInt8](repeating: 0, count: 32)
        _ = bosun_sha256_finish(state, &unused)
    }

    /// The SHA-256 of `bytes`, as lowercase hex.
    public static func hash(_ bytes: some Collection<UInt8>) -> String {
        var digest = SHA256Digest()
        digest.update(bytes)
        return digest.finish()
    }

    public static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
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

/// The key a running node signs with, which a key rotation replaces while it runs, and the key it replaced until
/// that is retired: messages signed by it before the rotation may still be answered with a MAC only it can check.
public final class KeyRing: Sendable {
    private let keys: Mutex<(current: NodeKey, previous: NodeKey?)>

    public init(_ key: NodeKey, previous: NodeKey? = nil) { keys = Mutex((key, previous)) }

    public var current: NodeKey { keys.withLock { $0.current } }

    /// This node's key whose public half is `publicKey`, current or replaced; nil if it holds no such key.
    public func key(_ publicKey: String) -> NodeKey? {
        keys.withLock { keys in
            keys.current.publicKey == publicKey ? keys.current : keys.previous?.publicKey == publicKey ? keys.previous : nil
        }
    }

    /// The key that authenticates a message stored unsigned: the one it was accepted under (a rotation may have come
    /// since), or the current one if this node no longer holds that.
    func key(accepting message: OutgoingMessage) -> NodeKey {
        message.signer.flatMap(key) ?? current
    }

    public func replace(with new: NodeKey) { keys.withLock { $0 = (new, $0.current) } }

    /// The replaced key is retired: nothing is checked with it any more.
    public func retirePrevious() { keys.withLock { $0.previous = nil } }
}
