import Synchronization

/// Starts each run as a task of its own, from any thread (a commit's callback, a subscription's delivery thread),
/// with no hop through a task that owns them; keeps those going, so that a stop can cancel them and wait for them.
final class RunTasks: Sendable {
    typealias Run = @Sendable () async -> Void

    private struct State {
        var next = 0
        var going: [Int: Task<Void, Never>] = [:]
        /// Runs that ended before their start had recorded them.
        var endedEarly: Set<Int> = []
    }

    private let state = Mutex(State())
    private let cancelled = Atomic<Bool>(false)

    /// Whether ``cancelAll()`` was called: a run started since is cancelled from its start.
    var isCancelled: Bool { cancelled.load(ordering: .acquiring) }

    /// Starts `run` in a task of its own.
    func start(_ run: @escaping Run) {
        let id = state.withLock { state in
            defer { state.next += 1 }
            return state.next
        }
        // Made outside the lock (making and enqueueing a task takes a while, and ending ones would spin on it).
        let task = Task { [self] in
            await run()
            self.state.withLock { state in
                if state.going.removeValue(forKey: id) == nil { state.endedEarly.insert(id) }
            }
        }
        let kept = state.withLock { state in
            guard state.endedEarly.remove(id) == nil else { return false }
            state.going[id] = task
            return true
        }
        if kept, isCancelled { task.cancel() }
    }

    /// Cancels every run going, and every one started from now on.
    func cancelAll() {
        cancelled.store(true, ordering: .releasing)
        for task in state.withLock({ Array($0.going.values) }) { task.cancel() }
    }

    /// Waits until no run is going.
    func finish() async {
        while let task = state.withLock({ $0.going.values.first }) {
            await task.value
        }
    }
}
