import Synchronization

/// Stores samples that arrive together in one transaction: the caller that finds no write running writes
/// everything queued meanwhile, again until nothing waits; the others wait for the write that holds theirs. One
/// commit per burst instead of per sample is what lets a central node keep up with a large fleet.
final class MetricsWriter: Sendable {
    private struct Waiting {
        var node: String
        var sample: MetricsSample
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var queue: [Waiting] = []
        var writing = false
    }

    private let store: MetricsStore
    private let now: @Sendable () -> Timestamp
    private let state = Mutex(State())

    init(store: MetricsStore, now: @escaping @Sendable () -> Timestamp) {
        self.store = store
        self.now = now
    }

    /// Returns once the sample is committed; throws the store's error if its transaction failed.
    func record(_ sample: MetricsSample, node: String) async throws {
        try await withCheckedThrowingContinuation { continuation in
            let leads = state.withLock { state in
                state.queue.append(Waiting(node: node, sample: sample, continuation: continuation))
                defer { state.writing = true }
                return !state.writing
            }
            if leads { writeUntilNothingWaits() }
        }
    }

    private func writeUntilNothingWaits() {
        while true {
            let batch = state.withLock { state in
                defer { state.queue = [] }
                if state.queue.isEmpty { state.writing = false }
                return state.queue
            }
            guard !batch.isEmpty else { return }
            do {
                try store.record(batch.map { (node: $0.node, sample: $0.sample) }, now: now())
                for waiting in batch { waiting.continuation.resume() }
            } catch {
                for waiting in batch { waiting.continuation.resume(throwing: error) }
            }
        }
    }
}
