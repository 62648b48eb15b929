import Synchronization

/// Runs that must finish in the order they were released, per key: one at a time for each key (a log file, a
/// file appended to, a copy, a command's output), any number of keys at once.
final class OrderedRuns: Sendable {
    typealias Run = @Sendable () async -> Void

    /// For each key with a run going: the runs waiting behind it, in order.
    private let waiting = Mutex<[String: [Run]]>([:])

    /// Queues `run` behind the others of `key`. Returns the work to start when none of that key is going (it runs
    /// `run`, then each one queued behind it); nil when `run` waits for the one going.
    func enqueue(_ key: String, _ run: @escaping Run) -> Run? {
        let start = waiting.withLock { waiting -> Bool in
            if waiting[key] != nil {
                waiting[key]!.append(run)
                return false
            }
            waiting[key] = []
            return true
        }
        guard start else { return nil }
        return { [self] in
            var next: Run? = run
            while let current = next {
                await current()
                next = waiting.withLock { waiting -> Run? in
                    guard let queued = waiting[key], !queued.isEmpty else {
                        waiting.removeValue(forKey: key)
                        return nil
                    }
                    waiting[key]!.removeFirst()
                    return queued[0]
                }
            }
        }
    }
}
