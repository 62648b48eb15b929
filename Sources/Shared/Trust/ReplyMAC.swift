import CCrypto
import FoundationEssentials
import Synchronization

/// An ACK authenticated by a MAC instead of a signature: HMAC-SHA-256 under the key the two nodes share without
/// a word exchanged (``NodeKey/pairKey(with:)``: X25519 between their own keys, hashed).
///
/// A signature costs the answering node a signing and the asking node a verification, twice what the rest of an
/// ACK costs; a MAC costs each side a hash of the reply. Both name the answering key in `signedBy`, and the asker
/// checks that key against the node's pinned one the same way. What a MAC cannot do is convince a third party:
/// either end could have made it, which for an answer only the asker reads is no loss. A node answers with a MAC
/// only when the message offers it (header `Bosun-Ack: mac`, set when the message is signed by the sender's
/// current key); otherwise, and for refusals made before a message is read, it signs.
extension NodeKey {
    /// The key this node shares with the node whose public key is `peer` (base64); nil for text that is not a
    /// valid public key. Worked out once per pair (an X25519) and kept.
    public func pairKey(with peer: String) -> [UInt8]? {
        let pair = publicKey + peer
        if let known = Self.pairKeys.withLock({ $0[pair] }) { return known }
        guard let raw = Data(base64Encoded: peer), raw.count == 32, let x25519 = Self.x25519Form(of: peer, raw: Array(raw))
        else { return nil }
        var key = [UInt8](repeating: 0, count: 32)
        guard bosun_pair_key(signer.pointer, Array(raw), x25519, &key) == 1 else { return nil }
        Self.pairKeys.withLock { keys in
            // Bounded: made-up keys must not grow it without end. Room for a central node's pairs with a fleet of
            // 16,384 nodes (about 3 MB at most); a bigger fleet works them out again now and then.
            if keys.count >= 16_384 { keys.removeAll(keepingCapacity: true) }
            keys[pair] = key
        }
        return key
    }

    private static let pairKeys = Mutex<[String: [UInt8]]>([:])

    /// `peer`'s key in X25519 form, converted once per key and kept: the conversion checks the point, which costs
    /// twice the X25519 itself, and every simulated node of a swarm (or every key of this node, after a rotation)
    /// agrees a key with the same central key. Kept by the key itself, not by node: a node whose pinned key is
    /// replaced is looked up under its new key, never served the old one's form.
    static func x25519Form(of peer: String, raw: [UInt8]) -> [UInt8]? {
        if let known = x25519Forms.withLock({ $0[peer] }) { return known }
        var form = [UInt8](repeating: 0, count: 32)
        guard bosun_x25519_public_key(raw, &form) == 1 else { return nil }
        x25519Forms.withLock { forms in
            // Bounded as the pair keys are.
            if forms.count >= 16_384 { forms.removeAll(keepingCapacity: true) }
            forms[peer] = form
        }
        return form
    }

    private static let x25519Forms = Mutex<[String: [UInt8]]>([:])

    /// Works out `peer`'s X25519 form ahead of its first ACK (when its node's key is pinned, or the node says
    /// hello), so that a fan-out to the fleet does not pay it on the way.
    static func prepareAgreement(with peer: String) {
        guard !knowsX25519Form(of: peer), let raw = Data(base64Encoded: peer), raw.count == 32 else { return }
        _ = x25519Form(of: peer, raw: Array(raw))
    }

    /// Whether `peer`'s X25519 form is kept (for tests of the cache).
    static func knowsX25519Form(of peer: String) -> Bool { x25519Forms.withLock { $0[peer] != nil } }

    /// `reply` with `signedBy` and a `mac` for the node whose key is `peer`; signed instead if `peer` is not a
    /// valid key.
    public func authenticate(_ reply: Reply, for peer: String) -> Reply {
        guard let key = pairKey(with: peer) else { return sign(reply) }
        guard let mac = Self.mac(of: reply.signedBytes, under: key) else { return sign(reply) }
        var authenticated = reply
        authenticated.signedBy = publicKey
        authenticated.signature = nil
        authenticated.mac = mac
        return authenticated
    }

    /// The HMAC-SHA-256 of `bytes` under `key` (a pair key), in base64: what every MAC here travels as (an ACK's, a
    /// batch of ACKs', a message's); nil if it cannot be made.
    static func mac(of bytes: [UInt8], under key: [UInt8]) -> String? {
        var mac = [UInt8](repeating: 0, count: 32)
        guard bosun_hmac_sha256(key, bytes, bytes.count, &mac) == 1 else { return nil }
        return Data(mac).base64EncodedString()
    }

    /// Whether `mac` (base64) is the HMAC-SHA-256 of `bytes` under `key`, checked in constant time.
    static func macMatches(_ mac: String, bytes: [UInt8], under key: [UInt8]) -> Bool {
        guard let raw = Data(base64Encoded: mac), raw.count == 32, key.count == 32 else { return false }
        return bosun_hmac_sha256_verify(key, bytes, bytes.count, Array(raw)) == 1
    }
}

extension Reply {
    /// Whether the reply's MAC is right under `key` (the pair key of the asking node and ``signedBy``).
    public func hasValidMAC(key: [UInt8]) -> Bool {
        guard let mac else { return false }
        return NodeKey.macMatches(mac, bytes: signedBytes, under: key)
    }
}

extension NodeKey {
    /// The MAC of a batch of ACKs (``ReplyBatch``) published on `subject`, for the node whose key is `peer`; nil if
    /// `peer` is not a valid key (the answers then go one by one).
    public func batchMAC(subject: String, payload: [UInt8], for peer: String) -> String? {
        guard let key = pairKey(with: peer) else { return nil }
        return Self.mac(of: ReplyBatch.authenticatedBytes(subject: subject, payload: payload), under: key)
    }
}

extension ReplyBatch {
    /// Whether `mac` is right for the batch `payload` published on `subject`, under `key` (the pair key of the asking
    /// node and the answering one).
    public static func hasValidMAC(_ mac: String, subject: String, payload: [UInt8], key: [UInt8]) -> Bool {
        NodeKey.macMatches(mac, bytes: authenticatedBytes(subject: subject, payload: payload), under: key)
    }
}
