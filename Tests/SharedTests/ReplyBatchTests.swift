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
        #expect(reason(#"{"acks":[{"to":"1"}]}"#).contains("entry 0 of a batch of ACKs needs `to`"))
        #expect(reason(#"{"acks":[{"reply":{"id":"a","fromNode":"n","status":"ok"},"to":"1"},{"reply":{"id":"b","fromNode":"n","status":"maybe"},"to":"2"}]}"#)
            == "status: entry 1 of a batch of ACKs: field `status` is not a known status: \"maybe\"")
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

    @Test func onlySmallRepliesGoInABatch() {
        #expect(Reply(id: "m", fromNode: "edge", status: .ok, stdout: "hi\n").fitsBatch)
        #expect(!Reply(id: "m", fromNode: "edge", status: .ok, stdout: String(repeating: "x", count: 1_025)).fitsBatch)
        #expect(!Reply(id: "m", fromNode: "edge", status: .error, stderr: String(repeating: "e", count: 600),
            error: String(repeating: "r", count: 600)).fitsBatch)
    }
}
