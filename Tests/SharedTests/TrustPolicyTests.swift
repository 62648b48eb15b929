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

    @Test func aForgedSignatureIsRefusedEvenWithoutRequiredSignatures() throws {
        var forged = operatorKey.sign(try message())
        forged.signedBy = NodeKey().publicKey
        #expect(TrustPolicy().refusal(of: forged, pinned: nil)?.contains("does not match") == true)
    }

    @Test func repliesAreSignedOverEveryField() {
        let reply = operatorKey.sign(Reply(id: "m1", fromNode: "edge", status: .ok, exitCode: 0, stdout: "fine"))
        #expect(reply.hasValidSignature)
        var altered = reply
        altered.stdout = "compromised"
        #expect(!altered.hasValidSignature)
    }
}
