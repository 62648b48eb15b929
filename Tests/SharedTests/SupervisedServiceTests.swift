import Logging
import ServiceLifecycle
import Testing

@testable import Shared

/// A node's parts as members of one ServiceGroup: graceful shutdown, and what a part that gives up does to the group.
struct SupervisedServiceTests {
    typealias Boom = SupervisorTests.Boom
    typealias Log = SupervisorTests.Log

    private func makeGroup(_ services: [ServiceGroupConfiguration.ServiceConfiguration]) -> ServiceGroup {
        ServiceGroup(configuration: ServiceGroupConfiguration(services: services, logger: Logger(label: "test")))
    }

    private func supervisor(maxFailures: Int, log: Log) -> Supervisor {
        var policy = Supervisor.Policy()
        policy.maxFailures = maxFailures
        policy.backoff = Backoff(initial: 0.001, cap: 0.002)
        return Supervisor(policy: policy) { part, reason in log.add("gave up \(part): \(reason)") }
    }

    /// A part that runs until it is cancelled, and logs its start and its end.
    private func waiting(_ name: String, log: Log) -> @Sendable () async throws -> Void {
        {
            log.add("started \(name)")
            do {
                try await Task.sleep(for: .seconds(600))
            } catch {
                log.add("ended \(name)")
                throw error
            }
        }
    }

    private func waitFor(_ log: Log, count: Int, _ prefix: String) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while log.all.filter({ $0.hasPrefix(prefix) }).count < count {
            guard ContinuousClock.now < deadline else {
                Issue.record("waited for \(count) \"\(prefix)\" entries; saw \(log.all)")
                return
            }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    @Test func gracefulShutdownStopsThePartsInTheReverseOfTheirOrder() async throws {
        let log = Log()
        let supervisor = supervisor(maxFailures: 5, log: log)
        let group = makeGroup(["outbox", "receiver", "inputs"].map { supervisor.service($0, waiting($0, log: log)) })
        async let running: Void = group.run()
        try await waitFor(log, count: 3, "started")
        await group.triggerGracefulShutdown()
        try await running
        #expect(log.all.filter { $0.hasPrefix("ended") } == ["ended inputs", "ended receiver", "ended outbox"])
        #expect(supervisor.parts.values.allSatisfy { $0 == .running })
    }

    @Test func aPartThatIsNotEssentialGivesUpAndTheOthersRunOn() async throws {
        let log = Log()
        let supervisor = supervisor(maxFailures: 1, log: log)
        let group = makeGroup([
            supervisor.service("outbox", waiting("outbox", log: log)),
            supervisor.service("hello", essential: false) { throw Boom() },
        ])
        async let running: Void = group.run()
        try await waitFor(log, count: 1, "gave up")
        #expect(log.all.contains("gave up hello: 2 failures within 60 s; last: boom"))
        #expect(supervisor.parts["outbox"] == .running)
        #expect(!log.all.contains("ended outbox"))
        await group.triggerGracefulShutdown()
        try await running
        #expect(log.all.last == "ended outbox")
    }

    @Test func anEssentialPartThatGivesUpEndsTheGroupWithItsReason() async throws {
        let log = Log()
        let supervisor = supervisor(maxFailures: 1, log: log)
        let group = makeGroup([
            supervisor.service("receiver", waiting("receiver", log: log)),
            supervisor.service("outbox") { throw Boom() },
        ])
        let error = await #expect(throws: Supervisor.PartStopped.self) { try await group.run() }
        #expect(error?.description == "outbox stopped: 2 failures within 60 s; last: boom")
        #expect(log.all.contains("gave up outbox: 2 failures within 60 s; last: boom"))
        // The other parts were cancelled, not left running.
        #expect(log.all.last == "ended receiver")
    }

    @Test func aPartServiceEndsQuietlyAtGracefulShutdown() async throws {
        let log = Log()
        let group = makeGroup([.init(service: PartService("inbox", waiting("inbox", log: log)))])
        async let running: Void = group.run()
        try await waitFor(log, count: 1, "started")
        await group.triggerGracefulShutdown()
        try await running
        #expect(log.all == ["started inbox", "ended inbox"])
    }
}
