import Testing

@testable import Shared

/// What a console in mailbox mode shows from the servers' streams, and what a central puts in the shared registry.
struct MailboxHistoryTests {
    static func record(_ id: String, at millis: Int64, _ state: OutboxState, reply: Reply? = nil) -> OutboxRecord {
        var message = Message(method: .cliCommand)
        message.id = id
        message.toNode = "edge"
        message.createdAt = Timestamp(millisecondsSinceEpoch: millis)
        return OutboxRecord(
            sequence: millis, message: message, state: state, reply: reply,
            updatedAt: Timestamp(millisecondsSinceEpoch: millis))
    }

    @Test func theServersAnswerShowsForALocalMessageStillWaitingAndOthersMessagesJoinNewestFirst() {
        let answer = Reply(id: "mine-1", fromNode: "edge", status: .ok, stdout: "hi\n")
        let local = [Self.record("mine-2", at: 30, .acked), Self.record("mine-1", at: 10, .sending)]
        let shared = [
            Self.record("mine-1", at: 10, .acked, reply: answer), Self.record("theirs", at: 20, .queued),
            Self.record("mine-2", at: 30, .queued),
        ]
        let merged = MailboxHistory.merge(local: local, shared: shared)
        #expect(merged.map(\.id) == ["mine-2", "theirs", "mine-1"])
        #expect(merged.map(\.state) == [.acked, .queued, .acked])
        #expect(merged.last?.reply?.stdout == "hi\n")
    }

    @Test func anAnswerTooBigForTheStreamKeepsTheStartOfItsOutputMarkedTruncatedAndUnsigned() throws {
        var reply = Reply(id: "m", fromNode: "edge", status: .ok, stdout: String(repeating: "a", count: 2_000_000))
        reply.signature = "sig"
        reply.signedBy = "key"
        let kept = try Reply.decode(MailboxResults.fitted(reply))
        #expect(MailboxResults.fitted(reply).count <= MailboxResults.maxBytes)
        #expect(kept.truncated == true)
        #expect(kept.signature == nil)
        #expect(kept.stdout?.hasPrefix("aaaa") == true)
        let small = Reply(id: "m", fromNode: "edge", status: .ok, stdout: "x")
        #expect(MailboxResults.fitted(small) == small.encoded())
    }

    @Test func aCentralPutsANodeWhenItsKeyOrDecisionChangesOrItWasSeenAStepLater() {
        let node = NodeRecord(name: "edge", facts: nil, lastSeen: Timestamp(millisecondsSinceEpoch: 10_000),
            helloInterval: 10, saidBye: false, firstSeen: Timestamp(millisecondsSinceEpoch: 0), publicKey: "k",
            keyState: .pending, insecure: false)
        let shared = NodeRegistryEntry(node)
        var later = node
        later.lastSeen = Timestamp(millisecondsSinceEpoch: 12_000)
        #expect(!NodeRegistryEntry(later).isNews(over: shared, seenStep: 5000))
        later.lastSeen = Timestamp(millisecondsSinceEpoch: 15_000)
        #expect(NodeRegistryEntry(later).isNews(over: shared, seenStep: 5000))
        var approved = node
        approved.keyState = .approved
        #expect(NodeRegistryEntry(approved).isNews(over: shared, seenStep: 5000))
        #expect(NodeRegistryEntry(node).isNews(over: nil, seenStep: 5000))
    }
}
