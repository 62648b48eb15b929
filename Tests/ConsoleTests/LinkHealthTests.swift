import Shared
import Testing

@testable import Console

@Suite struct LinkHealthTests {
    static let start = Timestamp(millisecondsSinceEpoch: 1_700_000_000_000)

    static func record(_ node: String, _ state: OutboxState, acceptedAt: Double, updatedAt: Double, attempts: Int = 1)
        -> OutboxRecord
    {
        OutboxRecord(
            sequence: 1,
            message: Message(
                id: "\(node)-\(acceptedAt)", toNode: node, method: .ping,
                createdAt: start.adding(seconds: acceptedAt)),
            state: state, attempts: attempts, updatedAt: start.adding(seconds: updatedAt))
    }

    @Test func backlogOldestWaitingMessageAndTheLatestFirstAttemptRoundTrip() {
        let health = LinkHealth.of(
            pending: [
                Self.record("pi-1", .queued, acceptedAt: 30, updatedAt: 31),
                Self.record("pi-1", .sending, acceptedAt: 10, updatedAt: 40),
            ],
            acked: [
                // Newest first: a retried one says nothing of the link; the latest first-attempt one counts.
                Self.record("pi-2", .acked, acceptedAt: 50, updatedAt: 90, attempts: 3),
                Self.record("pi-2", .acked, acceptedAt: 20, updatedAt: 20.25),
                Self.record("pi-2", .acked, acceptedAt: 5, updatedAt: 6),
            ])
        #expect(health["pi-1"] == LinkHealth(pending: 2, oldestPendingSince: Self.start.adding(seconds: 10)))
        #expect(health["pi-2"] == LinkHealth(pending: 0, roundTrip: 0.25))
    }
}
