import Synchronization

/// Starts each run as a task of its own, from any thread (a commit's callback, a subscription's delivery thread),
/// with no hop through a task that owns them; keeps those going, so that a stop can cancel them and wait for them.
final class RunTasks: Sendable {
    typealias Run = @Sendable () async -> Void

    private struct State {
        var next = 0
        var going: [Int: Task<Void, Never>] = [:]
        var cancelled = false
    }

    private let state = Mutex(State())

    /// Whether ``cancelAll()`` was called: a run started since is cancelled from its start.
    var isCancelled: Bool { state.withLock { $0.cancelled } }

    /// Runs going now.
    var count: Int { state.withLock { $0.going.count } }

    /// Starts `run` in a task of its own.
    func start(_ run: @escaping Run) {
        state.withLock { state in
            let id = state.next
            state.next += 1
            // Made under the lock: the task's own removal waits for its insertion.
            let task = Task { [self] in
                await run()
                _ = self.state.withLock { $0.going.removeValue(forKey: id) }
            }
            state.going[id] = task
            if state.cancelled { task.cancel() }
        }
    }

    /// Cancels every run going, and every one started from now on.
    func cancelAll() {
        let going = state.withLock { state in
            state.cancelled = true
            return Array(state.going.values)
        }
        for task in going { task.cancel() }
    }

    /// Waits until no run is going.
    func finish() async {
        while let task = state.withLock({ $0.going.values.first }) {
            await task.value
        }
    }
}
