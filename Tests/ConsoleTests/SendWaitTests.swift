import Shared
import Testing

@testable import Console

/// When `bosun send` stops waiting, and the progress line it shows meanwhile.
@Suite struct SendWaitEndingTests {
    static let start = Timestamp(millisecondsSinceEpoch: 1_700_000_000_000)

    static func record(
        _ id: String, to node: String, _ state: OutboxState, attempts: Int = 1, away: Bool = false,
        next: Double? = nil
    ) -> OutboxRecord {
        OutboxRecord(
            sequence: 1, message: Message(id: id, toNode: node, method: .ping, createdAt: start), state: state,
            attempts: attempts, nextAttemptAt: next.map { start.adding(seconds: $0) },
            lastError: away ? "node \(node) is not connected (no responders)" : nil, updatedAt: start)
    }

    @Test func waitingGoesOnWhileANodeIsAwayAndEndsWhenEveryMessageIsFinal() {
        let wait = SendWait()
        #expect(wait.ending([Self.record("a", to: "n1", .queued, away: true)], expected: 1) == nil)
        #expect(wait.ending([Self.record("a", to: "n1", .acked)], expected: 2) == nil)
        #expect(
            wait.ending([Self.record("a", to: "n1", .acked), Self.record("b", to: "n2", .rejected)], expected: 2)
                == .settled)
    }

    @Test func failFastEndsWhenEveryUnfinishedMessageWaitsForItsNode() {
        var wait = SendWait()
        wait.failFast = true
        #expect(wait.ending([Self.record("a", to: "n1", .queued, away: true)], expected: 1) == .noResponders)
        #expect(wait.ending([Self.record("a", to: "n1", .sending)], expected: 1) == nil)
        #expect(
            wait.ending(
                [Self.record("a", to: "n1", .acked), Self.record("b", to: "n2", .queued, away: true)],
                expected: 2) == .noResponders)
    }

    @Test func aPassedDeadlineEndsTheWaitAndNoWaitEndsAfterTheFirstAttempt() {
        var wait = SendWait()
        wait.deadline = ContinuousClock.now - .seconds(1)
        #expect(wait.ending([Self.record("a", to: "n1", .queued, away: true)], expected: 1) == .timedOut)
        var noWait = SendWait()
        noWait.firstAttemptOnly = true
        #expect(noWait.ending([Self.record("a", to: "n1", .queued, attempts: 0)], expected: 1) == nil)
        #expect(noWait.ending([Self.record("a", to: "n1", .sending, attempts: 1)], expected: 1) == .settled)
    }

    @Test func theProgressLineSaysSinceWhenWhichAttemptAndWhenTheNextTryIs() {
        let record = Self.record("0193-a", to: "pi-7", .queued, attempts: 3, away: true, next: 4)
        let line = WaitProgress.line(
            [record], lastSeen: { $0 == "pi-7" ? Self.start.adding(seconds: -60) : nil }, now: Self.start,
            utcOffset: 0)
        #expect(
            line == "bosun: waiting for pi-7: not connected since 22:12:20 · attempt 3 · next try in 4s"
                + " · Ctrl-C leaves message 0193-a queued")
        let unplanned = Self.record("0193-b", to: "pi-8", .queued, attempts: 1, away: true)
        #expect(
            WaitProgress.line([unplanned], lastSeen: { _ in nil }, now: Self.start, utcOffset: 0)
                == "bosun: waiting for pi-8: not connected since 22:13:20 · attempt 1 · next try at its hello or after"
                + " a backoff · Ctrl-C leaves message 0193-b queued")
        #expect(
            WaitProgress.line(
                [Self.record("a", to: "n", .sending)], lastSeen: { _ in nil }, now: Self.start,
                utcOffset: 0) == nil)
    }

    @Test func theProgressLineForSeveralNodesNamesTheAwayOnesCompactly() {
        let records = [
            Self.record("a", to: "pi-1", .queued, attempts: 2, away: true, next: 9),
            Self.record("b", to: "pi-2", .queued, attempts: 5, away: true, next: 3),
            Self.record("c", to: "edge", .acked),
        ]
        let line = WaitProgress.line(records, lastSeen: { _ in nil }, now: Self.start, utcOffset: 3600)
        #expect(
            line == "bosun: waiting for 2 nodes not connected since 23:13:20: pi-[1-2] · attempt 5"
                + " · next try in 3s · Ctrl-C leaves the messages queued")
    }
}
