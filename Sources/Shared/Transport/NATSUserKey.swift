import CCrypto

/// A NATS user NKey: an ed25519 key pair in NATS' text form, the public key (`U…`) for nats-server's
/// configuration and the seed (`SU…`) for the client (`--nkey`, `--nkey-seed`). The seed never reaches the
/// server: the client signs the server's nonce with it.
///
/// The form: base32 (RFC 4648, no padding) of prefix bytes, the 32 key bytes and a CRC-16 (XMODEM, little-endian).
public struct NATSUserKey: Sendable, Equatable {
    /// The public key, `U` and 55 more characters.
    public let publicKey: String
    /// The seed, `SU` and 56 more characters: the secret.
    public let seed: String
    private let raw: [UInt8]

    // NATS' prefix bytes: the first base32 letter of a key says what it is (S seed, U user).
    private static let seedPrefix: UInt8 = 18 << 3
    private static let userPrefix: UInt8 = 20 << 3

    /// A new random key pair.
    public init() {
        var raw = [UInt8](repeating: 0, count: 32)
        precondition(bosun_ed25519_generate(&raw) == 1, "libsodium cannot generate an ed25519 key")
        // Any 32 random bytes are a valid private key, with a public half.
        self.init(raw: raw)!
    }

    /// The key pair of a seed (`SU…`); nil when it is not a user seed.
    public init?(seed text: String) {
        guard let bytes = Base32.decode(text.trimmingSpaces), bytes.count == 36,
            bytes[0] == Self.seedPrefix | (Self.userPrefix >> 5), bytes[1] == (Self.userPrefix & 31) << 3,
            Self.checksummed(Array(bytes[0..<34])) == bytes
        else { return nil }
        self.init(raw: Array(bytes[2..<34]))
    }

    private init?(raw: [UInt8]) {
        var publicBytes = [UInt8](repeating: 0, count: 32)
        guard raw.count == 32, bosun_ed25519_public_key(raw, &publicBytes) == 1 else { return nil }
        self.raw = raw
        publicKey = Base32.encode(Self.checksummed([Self.userPrefix] + publicBytes))
        seed = Base32.encode(
            Self.checksummed([Self.seedPrefix | (Self.userPrefix >> 5), (Self.userPrefix & 31) << 3] + raw))
    }

    /// The ed25519 signature of `bytes`: how a client proves to nats-server that it holds the seed (the server's
    /// nonce, signed). Empty if libsodium fails.
    public func sign(_ bytes: [UInt8]) -> [UInt8] {
        guard let key = bosun_ed25519_private_key_new(raw) else { return [] }
        defer { bosun_ed25519_key_free(key) }
        var signature = [UInt8](repeating: 0, count: 64)
        guard bosun_ed25519_sign_with(key, bytes, bytes.count, &signature) == 1 else { return [] }
        return signature
    }

    /// Whether `text` is a user public key (`U…`) with a valid checksum.
    public static func isPublicKey(_ text: String) -> Bool {
        guard let bytes = Base32.decode(text), bytes.count == 35, bytes[0] == userPrefix else { return false }
        return checksummed(Array(bytes[0..<33])) == bytes
    }

    /// `bytes` followed by their CRC-16/XMODEM, low byte first.
    private static func checksummed(_ bytes: [UInt8]) -> [UInt8] {
        var crc: UInt16 = 0
        for byte in bytes {
            crc ^= UInt16(byte) << 8
            for _ in 0..<8 { crc = crc & 0x8000 != 0 ? (crc << 1) ^ 0x1021 : crc << 1 }
        }
        return bytes + [UInt8(crc & 0xFF), UInt8(crc >> 8)]
    }
}

/// RFC 4648 base32 without padding, as NKeys use it.
enum Base32 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var text: [UInt8] = []
        var buffer = 0
        var bits = 0
        for byte in bytes {
            buffer = (buffer << 8) | Int(byte)
            bits += 8
            while bits >= 5 {
                bits -= 5
                text.append(alphabet[(buffer >> bits) & 31])
            }
        }
        if bits > 0 { text.append(alphabet[(buffer << (5 - bits)) & 31]) }
        return String(decoding: text, as: UTF8.self)
    }

    /// The bytes of `text`; nil when it has a character outside the alphabet.
    static func decode(_ text: String) -> [UInt8]? {
        var bytes: [UInt8] = []
        var buffer = 0
        var bits = 0
        for character in text.utf8 {
            guard let value = alphabet.firstIndex(of: character) else { return nil }
            buffer = ((buffer << 5) | value) & 0xFFFF
            bits += 5
            if bits >= 8 {
                bits -= 8
                bytes.append(UInt8((buffer >> bits) & 0xFF))
            }
        }
        return bytes
    }
}
