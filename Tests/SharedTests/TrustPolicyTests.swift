import FoundationEssentials
import Glibc
import Shared
import Testing

/// What a receiver runs, by signature: pure checks of the policy and the signed bytes.
struct TrustPolicyTests {
    let operatorKey = NodeKey()

    private func message(_ method: Method = .cliCommand, args: [String] = ["uptime"], ttl: Double? = nil) throws -> Message {
        try Message(toNode: "edge", method: method, methodArgs: args, ttl: ttl).accepted(from: "central", defaults: .standard)[0]
    }

    @Test func aSignedMessageFromATrustedKeyRuns() throws {
        let policy = TrustPolicy(trustedKeys: [operatorKey.publicKey])
        #expect(policy.requireSignatures)
        #expect(policy.refusal(of: operatorKey.sign(try message()), pinned: nil) == nil)
    }

    @Test func everyChangeToASignedFieldBreaksTheSignature() throws {
        let signed = operatorKey.sign(try message())
        var changes: [Message] = []
        for change in [
            { (m: inout Message) in m.methodArgs = ["reboot"] }, { $0.toNode = "other" }, { $0.fromNode = "mallory" },
            { $0.method = .fileWrite }, { $0.data = "x" }, { $0.ttl = 1e9 }, { $0.methodTimeout = 9999 },
            { $0.id = MessageID.make() }, { $0.createdAt = .now.adding(seconds: 5) }, { $0.messageType = .commandNACK },
        ] {
            var copy = signed
            change(&copy)
            changes.append(copy)
        }
        #expect(signed.hasValidSignature)
        #expect(changes.allSatisfy { !$0.hasValidSignature })
        // Delivery settings are the sender's own business, not signed.
        var resent = signed
        resent.ackTimeout = 99
        #expect(resent.hasValidSignature)
    }

    @Test func unsignedOrUntrustedIsRefusedExceptTheOpenMethods() throws {
        let policy = TrustPolicy(trustedKeys: [operatorKey.publicKey])
        #expect(policy.refusal(of: try message(), pinned: nil)?.contains("unsigned") == true)
        #expect(policy.refusal(of: NodeKey().sign(try message()), pinned: nil)?.contains("does not trust") == true)
        #expect(policy.refusal(of: try message(.ping, args: []), pinned: nil) == nil)
        // The key pinned for the sending node counts as trusted.
        let node = NodeKey()
        #expect(policy.refusal(of: node.sign(try message()), pinned: node.publicKey) == nil)
    }

    @Test func anExpiredMessageIsRefusedEvenWithoutRequiredSignatures() throws {
        let old = try message(ttl: 60)
        #expect(TrustPolicy().refusal(of: old, pinned: nil, now: .now.adding(seconds: 61))?.contains("expired") == true)
        #expect(TrustPolicy().refusal(of: old, pinned: nil) == nil)
    }

    @Test func aForgedSignatureIsRefusedWhereSignaturesCount() throws {
        var forged = operatorKey.sign(try message())
        forged.signedBy = NodeKey().publicKey
        let requiring = TrustPolicy(trustedKeys: [operatorKey.publicKey])
        #expect(requiring.refusal(of: forged, pinned: nil)?.contains("does not match") == true)
        // Under an ACL (which goes by signer) too; a node that requires nothing does not look.
        #expect(TrustPolicy().refusal(of: forged, pinned: nil, checkSignatures: true)?.contains("does not match") == true)
        #expect(TrustPolicy().refusal(of: forged, pinned: nil) == nil)
    }

    @Test func aNodeRequiringSignaturesBelievesOnlyACKsSignedByTheNodesKey() {
        let node = NodeKey()
        let policy = TrustPolicy(requireSignatures: true)
        let ack = Reply(id: "m1", fromNode: "edge", status: .ok, stdout: "done")
        #expect(policy.refusal(ofReply: node.sign(ack), from: "edge", pinned: node.publicKey) == nil)
        #expect(policy.refusal(ofReply: ack, from: "edge", pinned: node.publicKey)?.contains("unsigned") == true)
        #expect(policy.refusal(ofReply: NodeKey().sign(ack), from: "edge", pinned: node.publicKey)?.contains("not edge's") == true)
        var forged = node.sign(ack)
        forged.stdout = "all fine, honestly"
        #expect(policy.refusal(ofReply: forged, from: "edge", pinned: node.publicKey) != nil)
        // A node that requires nothing takes any ACK.
        #expect(TrustPolicy().refusal(ofReply: ack, from: "edge", pinned: node.publicKey) == nil)
    }

    @Test func repliesAreSignedOverEveryField() {
        let reply = operatorKey.sign(Reply(id: "m1", fromNode: "edge", status: .ok, exitCode: 0, stdout: "fine"))
        #expect(reply.hasValidSignature)
        var altered = reply
        altered.stdout = "compromised"
        #expect(!altered.hasValidSignature)
    }
}

/// The cryptography against published test vectors (RFC 8032 §7.1 test 1; FIPS 180-2 "abc").
struct CryptoVectorTests {
    private func bytes(_ hex: String) -> [UInt8] {
        var result: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            result.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        return result
    }

    private func base64(_ bytes: [UInt8]) -> String { Data(bytes).base64EncodedString() }

    @Test func ed25519MatchesRFC8032() throws {
        let secret = bytes("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
        let key = try withTemporaryDirectory { directory in
            let path = directory + "/node.key"
            try FileSystem.write(Array(base64(secret).utf8), to: path)
            return try NodeKey.load(path: path)
        }
        #expect(key.publicKey == base64(bytes("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")))
        let signature = base64(bytes(
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"))
        #expect(NodeKey.verify([], signature: signature, publicKey: key.publicKey))
        #expect(!NodeKey.verify([0], signature: signature, publicKey: key.publicKey))
    }

    @Test func sha256MatchesFIPS180() {
        #expect(SHA256Digest.hash(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        var pieces = SHA256Digest()
        pieces.update(Array("a".utf8))
        pieces.update(Array("bc".utf8))
        #expect(pieces.finish() == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}
