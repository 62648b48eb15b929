import Shared
import Testing

@Suite struct NATSUserKeyTests {
    /// Made with the reference implementation (PyPI `nkeys`): the seed of the key bytes 0, 1, …, 31.
    static let seed = "SUAAAAICAMCAKBQHBAEQUCYMBUHA6EARCIJRIFIWC4MBSGQ3DQOR4H776Y"
    static let publicKey = "UAB2CB576PHBBPQ5ODORRZ2LYCMWPZGWGCN2KDK7DXOIMZASKUY3RLKK"

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

    @Test func aPublicKeyWithAChangedLetterIsRefused() {
        #expect(!NATSUserKey.isPublicKey("UAB2CB576PHBBPQ5ODORRZ2LYCMWPZGWGCN2KDK7DXOIMZASKUY3RLKA"))
        #expect(!NATSUserKey.isPublicKey(Self.seed))
    }
}
