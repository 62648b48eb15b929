import Synchronization
import Testing

@testable import Shared

/// The per-destination publisher: acceptance order, probing a node that is down, retirement when idle.
struct LaneTests {
    /// Records the order in which turns publish.
    final class Published: Sendable {
        let order = Mutex<[Int64]>([])
        var sequences: [Int64] { order.withLock { $0 } }

        func step(_ sequence: Int64) -> @Sendable (Lane.Turn) -> Lane.Decision {
            { turn in
                guard turn == .publish else { return .waiting }
                self.order.withLock { $0.append(sequence) }
                return .published
            }
        }
    }

    final class Counter: Sendable {
        let count = Mutex(0)
        var value: Int { count.withLock { $0 } }
        func increment() -> Int { count.withLock { $0 += 1; return $0 } }
    }

    private func lane() -> Lane { Lane(node: "edge", backoff: Backoff(initial: 0.01, cap: 0.05)) }

    @Test func firstTurnsGoOutInRegistrationOrderWhateverOrderTheTasksArrive() async {
        let lane = lane()
        let published = Published()
        let sequences: [Int64] = Array(1...50)
        for sequence in sequences { lane.register(sequence: sequence) }
        await withDiscardingTaskGroup { group in
            // The tasks come to the lane newest first: the lane still publishes oldest first.
            for sequence in sequences.reversed() {
                group.addTask { _ = await lane.turn(sequence: sequence, step: published.step(sequence)) }
            }
        }
        #expect(published.sequences == sequences)
    }

    @Test func aBlockedLanePublishesOnlyTheOldestAsAProbeAndCountsSkippedAttempts() async {
        let lane = lane()
        let published = Published()
        let skipped = Counter()
        lane.register(sequence: 1)
        #expect(await lane.turn(sequence: 1, step: published.step(1)) == .published)
        await lane.unreachable(sequence: 1)
        let blocked = lane.isBlocked.load(ordering: .relaxed)
        #expect(blocked)

        let runner = Task { await lane.run(idleTimeout: .seconds(60), retire: { _ in false }) }
        defer { runner.cancel() }
        // Three messages wait while the node is down; the probe goes out after the backoff, oldest first.
        let waiting = Task {
            await withDiscardingTaskGroup { group in
                for sequence: Int64 in 2...4 {
                    lane.register(sequence: sequence)
                    group.addTask {
                        _ = await lane.turn(sequence: sequence) { turn in
                            if turn == .skipped { _ = skipped.increment() }
                            return published.step(sequence)(turn)
                        }
                    }
                }
            }
        }
        let probed = await poll { published.sequences.count == 2 }
        #expect(probed)
        #expect(published.sequences == [1, 2])
        // The probe finds nobody again: the two still waiting each count a skipped attempt.
        await lane.unreachable(sequence: 2)
        #expect(skipped.value == 2)
        // The node answers: the lane reopens and the rest go out in order.
        await lane.reachable()
        await waiting.value
        #expect(published.sequences == [1, 2, 3, 4])
        let stillBlocked = lane.isBlocked.load(ordering: .relaxed)
        #expect(!stillBlocked)
    }

    @Test func anIdleLaneRetiresOnlyWhenTheOutboxAgrees() async {
        let lane = lane()
        let asked = Counter()
        await lane.run(idleTimeout: .milliseconds(10)) { _ in asked.increment() >= 3 }
        // The first two answers were "a message just arrived": the lane stayed until the third.
        #expect(asked.value == 3)
        let published = Published()
        // A retired lane grants no more turns.
        #expect(await lane.turn(sequence: 9, step: published.step(9)) == .finished)
        #expect(published.sequences.isEmpty)
    }

    private func poll(_ condition: () -> Bool) async -> Bool {
        for _ in 0..<500 {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return condition()
    }
}
