import Testing

@testable import Shared

/// Several ACKs in one message under one MAC: the form, what breaks it, and who is believed.
struct ReplyBatchTests {
    private let node = NodeKey()
    private let central = NodeKey()
    private let subject = "_INBOX.abc.7.41"
    private var record: Store.KeyRecord {
        Store.KeyRecord(node: "edge", publicKey: node.publicKey, state: .approved, pinnedAt: .now)
    }

    private func batch(_ count: Int = 3) -> ReplyBatch {
        ReplyBatch(entries: (0..<count).map { (index: Int) -> ReplyBatch.Entry in
            let failed = index == 1
            let reply = Reply(id: "m\(index)", fromNode: "edge", status: failed ? .error : .ok,
                error: failed ? "no such log \"x\"" : nil)
            return ReplyBatch.Entry(to: String(41 + index), reply: reply)
        })
    }

    /// `batch` as it arrives from `key`, its MAC made for `asker`.
    private func arriving(_ batch: ReplyBatch, from key: NodeKey, for asker: NodeKey, on subject: String? = nil)
        throws -> NATSMessage
    {
        let payload = batch.encoded()
        let mac = try #require(key.batchMAC(subject: self.subject, payload: payload, for: asker.publicKey))
        return NATSMessage(subject: subject ?? self.subject, payload: payload,
            batchAuthentication: ReplyBatch.Authentication(key: key.publicKey, mac: mac))
    }

    @Test func aBatchSurvivesItsJSONFormEntryByEntry() throws {
        let sent = batch()
        #expect(try ReplyBatch.decode(sent.encoded()) == sent)
        #expect(try ReplyBatch.decode(ReplyBatch(entries: []).encoded()).entries.isEmpty)
    }

    @Test func aMalformedBatchIsRefusedNamingTheFieldAndTheEntry() {
        func reason(_ text: String) -> String {
            do {
                _ = try ReplyBatch.decode(Array(text.utf8))
                return "decoded"
            } catch {
                return "\(error.field ?? "-"): \(error.reason)"
            }
        }
        #expect(reason("[]").contains("a batch of ACKs is a JSON object"))
        #expect(reason(#"{"acks":{}}"#) == "acks: a batch of ACKs needs field `acks`, an array")
        #expect(reason(#"{"acks":[{"id":"a","fromNode":"n","status":"ok"}]}"#)
            == "to: entry 0 of a batch of ACKs needs `to`, a string")
        #expect(reason(#"{"acks":[{"id":"a","fromNode":"n","status":"ok","to":"1"},{"id":"b","fromNode":"n","status":"maybe","to":"2"}]}"#)
            == "status: entry 1 of a batch of ACKs: field `status` is not a known status: \"maybe\"")
        #expect(reason(#"{"acks":[{"id":"a","status":"ok","to":"1"}]}"#)
            == "fromNode: entry 0 of a batch of ACKs: field `fromNode` is required")
    }

    @Test func aBatchIsBelievedUnderThePairKeyAndTheNodesPinnedKeyOnly() throws {
        let policy = TrustPolicy(pinsNodes: true)
        let good = try arriving(batch(), from: node, for: central)
        #expect(policy.refusal(ofBatch: good, from: "edge", record: record, asker: central) == nil)
        // Checked with another asker's key, or by a node without a key: refused, saying why.
        #expect(policy.refusal(ofBatch: good, from: "edge", record: record, asker: NodeKey())?
            .contains("its MAC does not match") == true)
        #expect(policy.refusal(ofBatch: good, from: "edge", record: record, asker: nil)?.contains("cannot check") == true)
        // One entry changed after the MAC was made.
        var altered = good
        altered.payload = batch().encoded().map { $0 == UInt8(ascii: "0") ? UInt8(ascii: "9") : $0 }
        #expect(altered.payload != good.payload)
        #expect(policy.refusal(ofBatch: altered, from: "edge", record: record, asker: central)?
            .contains("its MAC does not match") == true)
        // Replayed onto another lane's subject.
        let moved = try arriving(batch(), from: node, for: central, on: "_INBOX.abc.8.41")
        #expect(policy.refusal(ofBatch: moved, from: "edge", record: record, asker: central)?
            .contains("its MAC does not match") == true)
        // A right MAC by another node's key is not edge's.
        let other = try arriving(batch(), from: NodeKey(), for: central)
        #expect(policy.refusal(ofBatch: other, from: "edge", record: record, asker: central)?.contains("not edge's") == true)
        // Without its headers it is no batch.
        #expect(policy.refusal(ofBatch: NATSMessage(subject: subject, payload: good.payload), from: "edge",
            record: record, asker: central) == "a batch of ACKs claiming to come from edge carries no MAC")
        // A node the operator rejected is not believed either.
        var rejected = record
        rejected.state = .rejected
        #expect(policy.refusal(ofBatch: good, from: "edge", record: rejected, asker: central)?
            .contains("a node the operator rejected") == true)
    }

    /// A batch without a MAC, from a node that signs nothing (`Bosun-Acks: unsigned`): believed only by a node that
    /// takes unsigned answers, as an unsigned single ACK is; without that header, never.
    @Test func anUnsignedBatchIsBelievedOnlyByANodeThatTakesUnsignedAnswers() {
        var unsigned = NATSMessage(subject: subject, payload: batch().encoded())
        unsigned.isUnsignedReplyBatch = true
        let noMAC = "a batch of ACKs claiming to come from edge carries no MAC"
        #expect(TrustPolicy(pinsNodes: true).refusal(ofBatch: unsigned, from: "edge", record: record, asker: central) == noMAC)
        #expect(TrustPolicy().refusal(ofBatch: unsigned, from: "edge", record: nil, asker: nil) == noMAC)
        let lab = TrustPolicy(acceptUnsigned: true)
        #expect(lab.refusal(ofBatch: unsigned, from: "edge", record: nil, asker: nil) == nil)
        unsigned.isUnsignedReplyBatch = false
        #expect(lab.refusal(ofBatch: unsigned, from: "edge", record: nil, asker: nil) == noMAC)
    }

    @Test func onlySmallRepliesGoInABatch() {
        #expect(Reply(id: "m", fromNode: "edge", status: .ok, stdout: "hi\n").fitsBatch)
        #expect(!Reply(id: "m", fromNode: "edge", status: .ok, stdout: String(repeating: "x", count: 1_025)).fitsBatch)
        #expect(!Reply(id: "m", fromNode: "edge", status: .error, stderr: String(repeating: "e", count: 600),
            error: String(repeating: "r", count: 600)).fitsBatch)
    }
}

/// Several messages in one NATS message under one signature: the form, and what a damaged one is refused for.
struct MessageBatchTests {
    private let batch = MessageBatch(items: [
        MessageBatch.Item(subject: "bosun.edge.log.EventACK", token: "7", payload: Array(#"{"id":"a"}"#.utf8)),
        MessageBatch.Item(subject: "bosun.edge.cliCommand.CommandACK", token: "8", payload: Array("two\nlines 1 2\n".utf8)),
        MessageBatch.Item(subject: "bosun.edge.ping.CommandACK", token: "9", payload: []),
    ])

    @Test func aBatchSurvivesItsFormByteForByte() throws {
        #expect(try MessageBatch.decode(batch.encoded()) == batch)
        #expect(MessageBatch.subject(for: "edge") == "bosun.edge.batch")
        #expect(MessageBatch.isBatch("bosun.edge.batch", for: "edge") && !MessageBatch.isBatch("bosun.edge.batch", for: "edg"))
    }

    @Test func aDamagedBatchIsRefusedSayingWhereAndCostsNoMoreThanItsBytes() {
        func reason(_ bytes: [UInt8]) -> String {
            do {
                return "decoded \(try MessageBatch.decode(bytes).items.count)"
            } catch {
                return error.reason
            }
        }
        let good = batch.encoded()
        #expect(reason(Array("{}".utf8)) == "a batch of messages starts with the line `bosun-batch-v1`")
        // Cut short: the last item's line is not whole, or an item claims more bytes than are left.
        #expect(reason(Array(good.dropLast())) == "item 2 of a batch of messages: no line `<subject> <token> <length>`")
        #expect(reason(Array("bosun-batch-v1\nbosun.edge.log.EventACK 1 5\n{}".utf8))
            == "item 0 of a batch of messages: `bosun.edge.log.EventACK 1 5` is not `<subject> <token> <length>` with a length that fits")
        // A length far past the end is refused before anything is allocated for it.
        #expect(reason(Array("bosun-batch-v1\nbosun.edge.log.EventACK 1 99999999999\n{}".utf8))
            == "item 0 of a batch of messages: `bosun.edge.log.EventACK 1 99999999999` is not `<subject> <token> <length>` with a length that fits")
        #expect(reason(Array("bosun-batch-v1\nbosun.edge.log.EventACK 1\n{}".utf8)).hasPrefix("item 0 of a batch of messages: `bosun.edge.log.EventACK 1` is not"))
        #expect(reason(Array("bosun-batch-v1\n".utf8) + [UInt8](repeating: UInt8(ascii: "x"), count: 600))
            == "item 0 of a batch of messages: no line `<subject> <token> <length>`")
    }
}
