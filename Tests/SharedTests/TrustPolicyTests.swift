import FoundationEssentials
import Glibc
import Shared

@testable import Shared
import Synchronization
import Testing

/// What a receiver takes, by the signature in the headers, checked before anything is decoded.
struct TrustPolicyTests {
    let operatorKey = NodeKey()

    private func message(_ method: Method = .cliCommand, args: [String] = ["uptime"], from: String = "central", ttl: Double? = nil)
        throws -> Message
    {
        try Message(toNode: "edge", method: method, methodArgs: args, ttl: ttl).accepted(from: from, defaults: .standard)[0]
    }

    /// `message` as it arrives: its bytes on its subject, signed by `key` (unsigned when nil).
    private func inbound(_ message: Message, signedBy key: NodeKey?) -> (NATSMessage, Subject) {
        let subject = message.subject!
        let payload = message.encoded()
        return (NATSMessage(subject: subject.description, payload: payload,
            signature: key?.signature(subject: subject.description, payload: payload)), subject)
    }

    private func admit(_ policy: TrustPolicy, _ message: Message, signedBy key: NodeKey?, owners: [Store.KeyRecord] = [])
        -> Result<TrustPolicy.Admission, TrustPolicy.Refusal>
    {
        let (arriving, subject) = inbound(message, signedBy: key)
        return policy.admit(arriving, subject: subject, node: "edge") { key in owners.filter { $0.publicKey == key } }
    }

    private func refusal(_ result: Result<TrustPolicy.Admission, TrustPolicy.Refusal>) -> TrustPolicy.Refusal? {
        if case .failure(let refusal) = result { return refusal }
        return nil
    }

    @Test func aMessageSignedByATrustedKeyIsTaken() throws {
        let policy = TrustPolicy(trustedKeys: [operatorKey.publicKey])
        guard case .success(let admission) = admit(policy, try message(), signedBy: operatorKey) else {
            Issue.record("refused a message signed by a trusted key")
            return
        }
        #expect(admission.signer == operatorKey.publicKey)
        #expect(policy.refusal(of: try message(), admission: admission) == nil)
    }

    @Test func anAlteredPayloadOrAnotherSubjectBreaksTheSignature() throws {
        let policy = TrustPolicy(trustedKeys: [operatorKey.publicKey])
        let (genuine, subject) = inbound(try message(), signedBy: operatorKey)
        var altered = genuine
        altered.payload = Array(String(decoding: genuine.payload, as: UTF8.self).replacingOccurrences(of: "uptime", with: "reboot").utf8)
        #expect(refusal(policy.admit(altered, subject: subject, node: "edge"))?.kind == .badSignature)
        // The same bytes replayed as a message that wants no ACK (and so is not deduplicated) do not verify.
        var moved = genuine
        moved.subject = Subject(node: "edge", method: .cliCommand, messageType: .commandNACK).description
        let refused = refusal(policy.admit(moved, subject: Subject(parsing: moved.subject)!, node: "edge"))
        #expect(refused?.kind == .badSignature)
        #expect(refused?.reason.contains("altered in flight, or forged") == true)
    }

    @Test func anUnsignedMessageIsRefusedWithTheFixUnlessItCallsAnOpenMethod() throws {
        let trusting = TrustPolicy(trustedKeys: [operatorKey.publicKey])
        #expect(refusal(admit(trusting, try message(), signedBy: nil))?.kind == .unsigned)
        // An agent that trusts no key says how to give it one.
        let fresh = refusal(admit(TrustPolicy(), try message(), signedBy: nil))
        #expect(fresh?.kind == .unsigned)
        #expect(fresh?.reason.contains("bosun keys show") == true)
        #expect(fresh?.reason.contains("--trust KEY") == true)
        #expect(refusal(admit(trusting, try message(.ping, args: []), signedBy: nil)) == nil)
        #expect(refusal(admit(TrustPolicy(acceptUnsigned: true), try message(), signedBy: nil)) == nil)
    }

    @Test func aKeyThisNodeDoesNotTrustIsRefusedWithoutCheckingItsSignature() throws {
        let stranger = NodeKey()
        var forged = inbound(try message(), signedBy: stranger)
        forged.0.signature?.value = "not even base64"
        let refused = refusal(TrustPolicy(trustedKeys: [operatorKey.publicKey]).admit(forged.0, subject: forged.1, node: "edge"))
        #expect(refused?.kind == .untrustedKey)
        #expect(refused?.reason.contains("--trust \(stranger.publicKey)") == true)
    }

    @Test func anOversizedPayloadIsRefusedBeforeAnythingElse() {
        let arriving = NATSMessage(subject: "bosun.edge.cliCommand.CommandACK", payload: [UInt8](repeating: 0x20, count: MessageLimits.messageBytes + 1))
        let refused = refusal(TrustPolicy(acceptUnsigned: true).admit(
            arriving, subject: Subject(parsing: arriving.subject)!, node: "edge"))
        #expect(refused?.kind == .tooLarge)
    }

    @Test func theCentralNodeTakesANodesMessagesOnlyUnderItsApprovedKeyAndName() throws {
        let policy = TrustPolicy(pinsNodes: true)
        let edge = NodeKey()
        let log = try Message(toNode: "edge", method: .log, methodArgs: ["app"], data: "x").accepted(from: "pi", defaults: .standard)[0]
        func record(_ state: Store.KeyState, node: String = "pi") -> Store.KeyRecord {
            Store.KeyRecord(node: node, publicKey: edge.publicKey, state: state, pinnedAt: .now)
        }
        guard case .success(let admission) = admit(policy, log, signedBy: edge, owners: [record(.approved)]) else {
            Issue.record("refused an approved node's log")
            return
        }
        #expect(policy.refusal(of: log, admission: admission) == nil)
        // The same key under another node's name: refused once decoded.
        let impostor = try Message(toNode: "edge", method: .log, methodArgs: ["app"], data: "x").accepted(from: "gateway", defaults: .standard)[0]
        guard case .success(let other) = admit(policy, impostor, signedBy: edge, owners: [record(.approved)]) else {
            Issue.record("refused before decoding")
            return
        }
        #expect(policy.refusal(of: impostor, admission: other)?.kind == .wrongSender)
        let pending = refusal(admit(policy, log, signedBy: edge, owners: [record(.pending)]))
        #expect(pending?.kind == .notApproved)
        #expect(pending?.reason.contains("bosun nodes approve pi") == true)
        #expect(refusal(admit(policy, log, signedBy: edge, owners: [record(.rejected)]))?.kind == .rejectedNode)
        #expect(refusal(admit(policy, log, signedBy: edge))?.kind == .untrustedKey)
        #expect(refusal(admit(policy, log, signedBy: nil))?.kind == .unsigned)
    }

    @Test func anExpiredMessageIsRefused() throws {
        let old = try message(ttl: 60)
        let admission = TrustPolicy.Admission(signer: nil, owners: [])
        #expect(TrustPolicy().refusal(of: old, admission: admission, now: .now.adding(seconds: 61))?.kind == .expired)
        #expect(TrustPolicy().refusal(of: old, admission: admission) == nil)
    }

    @Test func anACKIsBelievedOnlyWhenSignedByTheNodesKey() {
        let node = NodeKey()
        let record = Store.KeyRecord(node: "edge", publicKey: node.publicKey, state: .approved, pinnedAt: .now)
        let policy = TrustPolicy(pinsNodes: true)
        let ack = Reply(id: "m1", fromNode: "edge", status: .ok, stdout: "done")
        #expect(policy.refusal(ofReply: node.sign(ack), from: "edge", record: record) == nil)
        #expect(policy.refusal(ofReply: ack, from: "edge", record: record)?.contains("unsigned") == true)
        #expect(policy.refusal(ofReply: NodeKey().sign(ack), from: "edge", record: record)?.contains("not edge's") == true)
        var forged = node.sign(ack)
        forged.stdout = "all fine, honestly"
        #expect(policy.refusal(ofReply: forged, from: "edge", record: record)?.contains("does not match") == true)
        // A node never seen: a valid signature is all there is to check.
        #expect(policy.refusal(ofReply: NodeKey().sign(ack), from: "edge", record: nil) == nil)
        // An agent believes the central's ACKs only under a key it trusts.
        let agent = TrustPolicy(trustedKeys: [operatorKey.publicKey])
        #expect(agent.refusal(ofReply: operatorKey.sign(ack), from: "central", record: nil) == nil)
        #expect(agent.refusal(ofReply: NodeKey().sign(ack), from: "central", record: nil)?.contains("does not trust") == true)
        #expect(TrustPolicy(acceptUnsigned: true).refusal(ofReply: ack, from: "edge", record: record) == nil)
    }

    @Test func anACKWithAMACIsBelievedOnlyUnderThePairKeyOfTheAskerAndTheNodesKey() throws {
        let node = NodeKey()
        let central = NodeKey()
        // Both ends work out the same key, and nobody else's pair gives it.
        #expect(node.pairKey(with: central.publicKey) == central.pairKey(with: node.publicKey))
        #expect(node.pairKey(with: central.publicKey) != NodeKey().pairKey(with: node.publicKey))
        #expect(node.pairKey(with: "not a key") == nil)
        let record = Store.KeyRecord(node: "edge", publicKey: node.publicKey, state: .approved, pinnedAt: .now)
        let policy = TrustPolicy(pinsNodes: true)
        let ack = Reply(id: "m1", fromNode: "edge", status: .ok, stdout: "done")
        let authenticated = node.authenticate(ack, for: central.publicKey)
        #expect(authenticated.signature == nil && authenticated.mac != nil && authenticated.signedBy == node.publicKey)
        #expect(policy.refusal(ofReply: authenticated, from: "edge", record: record, asker: central) == nil)
        // Checked with another asker's key, or by a node that cannot check it: refused, saying why.
        #expect(policy.refusal(ofReply: authenticated, from: "edge", record: record, asker: NodeKey())?
            .contains("its MAC does not match") == true)
        #expect(policy.refusal(ofReply: authenticated, from: "edge", record: record)?.contains("cannot check") == true)
        var forged = authenticated
        forged.stdout = "all fine, honestly"
        #expect(policy.refusal(ofReply: forged, from: "edge", record: record, asker: central)?.contains("does not match") == true)
        // Another node's key with a right MAC is still not edge's.
        let other = NodeKey().authenticate(ack, for: central.publicKey)
        #expect(policy.refusal(ofReply: other, from: "edge", record: record, asker: central)?.contains("not edge's") == true)
        // It survives its JSON form.
        #expect(try Reply.decode(authenticated.encoded()) == authenticated)
    }

    @Test func aKeysX25519FormIsWorkedOutOnceAndGivesTheSamePairKeyAsTheOtherEnd() {
        let central = NodeKey()
        let nodes = (0..<3).map { _ in NodeKey() }
        #expect(!NodeKey.knowsX25519Form(of: central.publicKey))
        // Every node agrees a key with the same central key: converted once, kept, and each pair key still
        // matches the one the central works out on its side, and differs from the other nodes'.
        let fromNodes = nodes.map { $0.pairKey(with: central.publicKey) }
        #expect(NodeKey.knowsX25519Form(of: central.publicKey))
        #expect(fromNodes == nodes.map { central.pairKey(with: $0.publicKey) })
        #expect(Set(fromNodes.compactMap { $0 }).count == nodes.count)
        // Asked again, from the caches: the same keys.
        #expect(nodes.map { $0.pairKey(with: central.publicKey) } == fromNodes)
    }

    @Test func noKeyIsAgreedWithAKeyOfSmallOrderOrANonCanonicalOne() {
        let central = NodeKey()
        func key(_ bytes: [UInt8]) -> String { Data(bytes).base64EncodedString() }
        let zeros = [UInt8](repeating: 0, count: 32)
        // y = 1, the neutral point (no X25519 form at all); y = 0 and y = -1, points of order 4 and 2 (the secret
        // would be zero); the same y = 1 with the sign bit of x set.
        let one = [1] + zeros.dropFirst()
        let minusOne = [0xec] + [UInt8](repeating: 0xff, count: 30) + [0x7f]
        var signedOne = one
        signedOne[31] |= 0x80
        // y = p and y = p + 2: encodings of 0 and 2 that are not canonical. y = 2 itself is no point of the curve,
        // but on its twist, where X25519 is as safe: the conversion does not check the curve (libsodium's does,
        // with the subgroup, and refuses it), so a key is agreed with it, and refused with its other encoding.
        let p = [0xed] + [UInt8](repeating: 0xff, count: 30) + [0x7f]
        let pPlusTwo = [0xef] + [UInt8](repeating: 0xff, count: 30) + [0x7f]
        #expect(central.pairKey(with: key([2] + zeros.dropFirst())) != nil)
        for bytes in [one, zeros, minusOne, signedOne, p, pPlusTwo] {
            #expect(central.pairKey(with: key(bytes)) == nil, "\(bytes.prefix(2))…\(bytes.suffix(1))")
        }
        // A real key still agrees both ways.
        let node = NodeKey()
        #expect(central.pairKey(with: node.publicKey) != nil)
        #expect(central.pairKey(with: node.publicKey) == node.pairKey(with: central.publicKey))
    }

    @Test func aKeysX25519FormIsLibsodiumsForARealKey() throws {
        // RFC 8032's first test key, and its X25519 form as libsodium's crypto_sign_ed25519_pk_to_curve25519 gives it.
        let ed = "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="
        let raw = try #require(Data(base64Encoded: ed))
        let form = try #require(NodeKey.x25519Form(of: ed, raw: Array(raw)))
        #expect(Data(form).base64EncodedString() == "2F4H7CKwrYgVN8L0TWYtGhQ8+DDFespDBdhcepD2ti4=")
    }

    @Test func aRotatedKeyRingStillHoldsTheReplacedKeyUntilItIsRetired() {
        let (old, new) = (NodeKey(), NodeKey())
        let ring = KeyRing(old)
        #expect(ring.key(old.publicKey)?.publicKey == old.publicKey && ring.key(new.publicKey) == nil)
        ring.replace(with: new)
        // An ACK to a message the old key signed before the rotation is still checked with the old key.
        #expect(ring.current.publicKey == new.publicKey)
        #expect(ring.key(old.publicKey)?.publicKey == old.publicKey && ring.key(new.publicKey)?.publicKey == new.publicKey)
        ring.retirePrevious()
        #expect(ring.key(old.publicKey) == nil && ring.key(new.publicKey)?.publicKey == new.publicKey)
    }

    @Test func aReplacedPinIsNotServedTheOldKeysMACKey() {
        let central = NodeKey()
        let (old, new) = (NodeKey(), NodeKey())
        let policy = TrustPolicy(pinsNodes: true)
        let ack = Reply(id: "m1", fromNode: "edge", status: .ok)
        let pinnedOld = Store.KeyRecord(node: "edge", publicKey: old.publicKey, state: .approved, pinnedAt: .now)
        // The old key's pair key is worked out and kept while it is pinned.
        #expect(policy.refusal(ofReply: old.authenticate(ack, for: central.publicKey), from: "edge", record: pinnedOld,
            asker: central) == nil)
        // The pin is replaced (a proved rotation): the new key's MAC is checked under the new pair, and an ACK still
        // made with the old key is not edge's any more.
        var pinnedNew = pinnedOld
        pinnedNew.publicKey = new.publicKey
        #expect(central.pairKey(with: new.publicKey) != central.pairKey(with: old.publicKey))
        #expect(policy.refusal(ofReply: new.authenticate(ack, for: central.publicKey), from: "edge", record: pinnedNew,
            asker: central) == nil)
        #expect(policy.refusal(ofReply: old.authenticate(ack, for: central.publicKey), from: "edge", record: pinnedNew,
            asker: central)?.contains("which is not edge's") == true)
        // A MAC made under the old pair but naming the new key does not pass.
        var relabelled = old.authenticate(ack, for: central.publicKey)
        relabelled.signedBy = new.publicKey
        #expect(policy.refusal(ofReply: relabelled, from: "edge", record: pinnedNew, asker: central)?
            .contains("its MAC does not match") == true)
    }

    @Test func repliesAreSignedOverEveryField() {
        let reply = operatorKey.sign(Reply(id: "m1", fromNode: "edge", status: .ok, exitCode: 0, stdout: "fine"))
        #expect(reply.hasValidSignature)
        var altered = reply
        altered.stdout = "compromised"
        #expect(!altered.hasValidSignature)
    }

    @Test func refusalsOfOneKindMakeOneLineAnIntervalWithTheirCount() async throws {
        let clock = TestClock()
        let lines = Mutex<[String]>([])
        let log = RefusalLog(interval: 60, clock: clock) { line in lines.withLock { $0.append(line) } }
        let unsigned = TrustPolicy.Refusal(kind: .unsigned, reason: "unsigned message")
        for _ in 0..<1000 { log.refused(sender: "an unsigned sender", subject: "bosun.edge.cliCommand.CommandACK", unsigned) }
        log.refused(sender: "an unsigned sender", subject: "bosun.edge.fileWrite.CommandACK", unsigned)
        #expect(lines.withLock { $0.count } == 2)
        clock.advance(seconds: 61)
        log.flush()
        let written = lines.withLock { $0 }
        #expect(written.count == 3)
        #expect(written.last?.contains("refused 999 more messages from an unsigned sender on bosun.edge.cliCommand.CommandACK") == true)
        // Made-up senders share one line once there are too many to track.
        for index in 0..<5000 { log.refused(sender: "key \(index)", subject: "s", unsigned) }
        #expect(lines.withLock { $0.count } < 3 + RefusalLog.maxKinds + 2)
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
