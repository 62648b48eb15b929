import Shared
import Synchronization

/// A clock the test moves: sleeps end only when ``advance(seconds:)`` passes their deadline.
final class TestClock: DeliveryClock {
    private struct Sleeper {
        var deadline: Int64
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now: Int64
        var sleepers: [UInt64: Sleeper] = [:]
        var next: UInt64 = 0
    }

    private let state: Mutex<State>

    init(start: Timestamp = Timestamp(millisecondsSinceEpoch: 1_800_000_000_000)) {
        state = Mutex(State(now: start.millisecondsSinceEpoch))
    }

    var now: Timestamp { Timestamp(millisecondsSinceEpoch: state.withLock { $0.now }) }

    func sleep(until deadline: Timestamp) async throws {
        let id = state.withLock { state -> UInt64 in
            state.next += 1
            return state.next
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let outcome: Result<Void, any Error>? = state.withLock { state in
                    if Task.isCancelled { return .failure(CancellationError()) }
                    if deadline.millisecondsSinceEpoch <= state.now { return .success(()) }
                    state.sleepers[id] = Sleeper(deadline: deadline.millisecondsSinceEpoch, continuation: continuation)
                    return nil
                }
                if let outcome { continuation.resume(with: outcome) }
            }
        } onCancel: {
            let sleeper = state.withLock { $0.sleepers.removeValue(forKey: id) }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }

    /// How many sleeps are waiting for the time to move on.
    var sleeping: Int { state.withLock { $0.sleepers.count } }

    /// Moves the time on and ends the sleeps that are due.
    func advance(seconds: Double) {
        let due = state.withLock { state -> [Sleeper] in
            state.now += Int64(seconds * 1000)
            let due = state.sleepers.filter { $0.value.deadline <= state.now }
            for key in due.keys { state.sleepers.removeValue(forKey: key) }
            return Array(due.values)
        }
        for sleeper in due { sleeper.continuation.resume() }
    }
}
