import Foundation
import Synchronization
import Testing

@testable import Shared

/// The receiver's runs, started from any thread as tasks of their own.
@Suite struct RunTasksTests {
    final class Count: Sendable {
        private let value = Mutex(0)
        @discardableResult func add() -> Int {
            value.withLock {
                $0 += 1
                return $0
            }
        }
        var now: Int { value.withLock { $0 } }
    }

    @Test func finishWaitsForEveryRunStarted() async {
        let runs = RunTasks()
        let done = Count()
        for _ in 0..<200 {
            runs.start {
                await Task.yield()
                done.add()
            }
        }
        await runs.finish()
        #expect(done.now == 200)
    }

    @Test(.timeLimit(.minutes(1))) func cancelAllCancelsTheRunsGoingAndThoseStartedLater() async {
        let runs = RunTasks()
        let sawCancel = Count()
        let waitUntilCancelled: RunTasks.Run = {
            // Ends only when cancelled: one that is not keeps finish() waiting until the time limit fails the test.
            while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(5)) }
            sawCancel.add()
        }
        for _ in 0..<5 { runs.start(waitUntilCancelled) }
        #expect(!runs.isCancelled)
        runs.cancelAll()
        #expect(runs.isCancelled)
        runs.start(waitUntilCancelled)
        await runs.finish()
        #expect(sawCancel.now == 6)
    }

    @Test(.timeLimit(.minutes(1))) func runsStartedFromForeignThreadsAreAllAwaited() async {
        let runs = RunTasks()
        let done = Count()
        let threads = Count()
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            for _ in 0..<4 {
                Thread.detachNewThread {
                    for _ in 0..<250 { runs.start { done.add() } }
                    if threads.add() == 4 { continuation.resume() }
                }
            }
        }
        await runs.finish()
        #expect(done.now == 1000)
    }
}
