import Shared

/// How long `bosun send` waits for its messages, and why it stopped.
///
/// It follows the records of its messages as the engine changes them; a tick each second lets the progress line
/// count down and the deadline pass even when nothing changes.
struct SendWait: Sendable {
    /// What the wait hears: a record, a change to one, or the operator pressed Ctrl-C.
    enum Event: Sendable {
        case record(OutboxRecord)
        case changed(OutboxChange)
        case interrupted
    }

    /// Why the wait ended.
    enum Ending: Sendable, Equatable {
        /// Every message is final (with --no-wait: has had its first attempt).
        case settled
        /// --fail-fast: every unfinished message waits because its node is not connected.
        case noResponders
        /// --timeout passed.
        case timedOut
        /// Ctrl-C (or SIGTERM).
        case interrupted
    }

    /// Return after the first attempt instead of the final state (--no-wait).
    var firstAttemptOnly = false
    /// Stop as soon as every unfinished message waits for its node (--fail-fast).
    var failFast = false
    /// When to stop waiting (--timeout); nil: never.
    var deadline: ContinuousClock.Instant?

    /// Waits for the messages `ids`; `progress` hears the latest records once a second and when the first
    /// message begins to wait for its node. Returns the records as last seen, in the order of `ids`.
    func run(
        ids: [String], events: Mailbox<Event>, progress: ([OutboxRecord]) -> Void
    ) async -> (Ending, [OutboxRecord]) {
        var latest = FollowedRecords()
        let wanted = Set(ids)
        var wasWaiting = false
        var lastTick = ContinuousClock.now
        while true {
            let event = await events.receive(timeout: .seconds(1))
            if Task.isCancelled { return (.interrupted, ids.compactMap { latest[$0] }) }
            switch event {
            case .record(let record) where wanted.contains(record.id):
                latest.take(record)
            case .changed(let change) where wanted.contains(change.id):
                latest.take(change)
            case .interrupted:
                return (.interrupted, ids.compactMap { latest[$0] })
            case .record, .changed, nil:
                break
            }
            let records = ids.compactMap { latest[$0] }
            if let ending = ending(records, expected: ids.count) { return (ending, records) }
            let waiting = records.contains(where: Outbox.isWaitingForNode)
            let now = ContinuousClock.now
            if (waiting && !wasWaiting) || now - lastTick >= .seconds(1) {
                lastTick = now
                progress(records)
            }
            wasWaiting = waiting
        }
    }

    /// Whether the wait is over for these records; nil while it goes on.
    func ending(_ records: [OutboxRecord], expected: Int) -> Ending? {
        if records.count == expected, records.allSatisfy(isSettled) { return .settled }
        if let deadline, ContinuousClock.now >= deadline { return .timedOut }
        if failFast, records.count == expected,
            records.allSatisfy({ isSettled($0) || Outbox.isWaitingForNode($0) })
        {
            return .noResponders
        }
        return nil
    }

    private func isSettled(_ record: OutboxRecord) -> Bool {
        record.state.isFinal || (firstAttemptOnly && record.attempts > 0)
    }
}
