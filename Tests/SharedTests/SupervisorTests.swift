import Synchronization
import Testing

@testable import Shared

/// Restarting failed parts with backoff, and giving up after too many failures in a window.
struct SupervisorTests {
    struct Boom: Error, CustomStringConvertible {
        var description: String { "boom" }
    }

    final class Log: Sendable {
        let entries = Mutex<[String]>([])
        func add(_ entry: String) { entries.withLock { $0.append(entry) } }
        var all: [String] { entries.withLock { $0 } }
    }

    private func policy(maxFailures: Int) -> Supervisor.Policy {
        var policy = Supervisor.Policy()
        policy.maxFailures = maxFailures
        policy.backoff = Backoff(initial: 0.001, cap: 0.002)
        return policy
    }

    @Test func aFailingPartIsRestartedUntilItRunsThenEndsWithCancellation() async throws {
        let log = Log()
        let supervisor = Supervisor(policy: policy(maxFailures: 5)) { part, _ in log.add("gave up \(part)") }
        let runs = Log()
        let part = Task {
            try await supervisor.run("receiver") {
                runs.add("run")
                if runs.all.count < 3 { throw Boom() }
                try await Task.sleep(for: .seconds(60))
            }
        }
        while runs.all.count < 3 { try await Task.sleep(for: .milliseconds(5)) }
        #expect(supervisor.parts["receiver"] == .running)
        part.cancel()
        try await part.value
        #expect(runs.all.count == 3)
        #expect(log.all.isEmpty)
    }

    @Test func tooManyFailuresStopAnEssentialPartAndSaySo() async {
        let log = Log()
        let supervisor = Supervisor(policy: policy(maxFailures: 2)) { part, reason in log.add("\(part): \(reason)") }
        await #expect(throws: Supervisor.PartStopped.self) {
            try await supervisor.run("outbox") { throw Boom() }
        }
        #expect(log.all.count == 1)
        #expect(log.all.first?.hasPrefix("outbox: 3 failures") == true)
        #expect(log.all.first?.hasSuffix("last: boom") == true)
        guard case .stopped = supervisor.parts["outbox"] else {
            Issue.record("outbox is \(String(describing: supervisor.parts["outbox"]))")
            return
        }
    }

    @Test func aPartThatIsNotEssentialJustEnds() async throws {
        let log = Log()
        let supervisor = Supervisor(policy: policy(maxFailures: 1)) { part, _ in log.add(part) }
        try await supervisor.run("hello", essential: false) { throw Boom() }
        #expect(log.all == ["hello"])
    }

    @Test func aPartThatReturnsEarlyCountsAsAFailure() async {
        let supervisor = Supervisor(policy: policy(maxFailures: 0)) { _, _ in }
        await #expect(throws: Supervisor.PartStopped.self) {
            try await supervisor.run("inputs") {}
        }
        #expect(supervisor.parts["inputs"] == .stopped(reason: "1 failure within 60 s; last: ended unexpectedly"))
    }
}
