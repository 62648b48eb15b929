import Shared
import Testing

@Suite struct NATSUserKeyTests {
    /// Made with the reference implementation (PyPI `nkeys`): the seed of the key bytes 0, 1, …, 31.
    static let seed = "SUAAAAICAMCAKBQHBAEQUCYMBUHA6EARCIJRIFIWC4MBSGQ3DQOR4H776Y"
    static let publicKey = "UAB2CB576PHBBPQ5ODORRZ2LYCMWPZGWGCN2KDK7DXOIMZASKUY3RLKK"
    static let nonceSignature =
        "f874eae1de830c754d6fc32c4d1019b5221ad2f5c0ff2b996e5c1303b253e706"
        + "3398a071276c2961f8c787b85ca6d66589d6d5c3fe992f2b9b8e6ff20e4f8e09"

    @Test func aSeedGivesTheReferencePublicKey() throws {
        let key = try #require(NATSUserKey(seed: Self.seed + "\n"))
        #expect(key.publicKey == Self.publicKey)
        #expect(key.seed == Self.seed)
        #expect(NATSUserKey.isPublicKey(Self.publicKey))
    }

    @Test func aNewKeyReadsBackFromItsSeed() throws {
        let key = NATSUserKey()
        #expect(key.seed.hasPrefix("SU") && key.seed.count == 58)
        #expect(key.publicKey.hasPrefix("U") && key.publicKey.count == 56)
        #expect(NATSUserKey(seed: key.seed) == key)
        #expect(NATSUserKey() != key)
    }

    @Test(arguments: [
        "SUAAAAICAMCAKBQHBAEQUCYMBUHA6EARCIJRIFIWC4MBSGQ3DQOR4H776A",  // last letter changed: checksum
        "SAAAAAICAMCAKBQHBAEQUCYMBUHA6EARCIJRIFIWC4MBSGQ3DQOR4H776Y",  // an account seed's prefix
        "UAB2CB576PHBBPQ5ODORRZ2LYCMWPZGWGCN2KDK7DXOIMZASKUY3RLKK",  // a public key, not a seed
        "SUAAAAICAMCAKBQHBAEQUCYMBUHA6EARCIJRIFIWC4MBSGQ3DQOR4H776",  // one letter short
        "su-not-base32",
    ])
    func notAUserSeed(_ text: String) {
        #expect(NATSUserKey(seed: text) == nil)
    }

    /// The reference implementation's signature of "nonce" by the key above (ed25519 signs deterministically).
    @Test func signsAsTheReferenceDoes() throws {
        let key = try #require(NATSUserKey(seed: Self.seed))
        let signature = key.sign(Array("nonce".utf8))
        #expect(signature.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined() == Self.nonceSignature)
    }

    @Test func aPublicKeyWithAChangedLetterIsRefused() {
        #expect(!NATSUserKey.isPublicKey("UAB2CB576PHBBPQ5ODORRZ2LYCMWPZGWGCN2KDK7DXOIMZASKUY3RLKA"))
        #expect(!NATSUserKey.isPublicKey(Self.seed))
    }
}
