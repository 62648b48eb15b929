import ServiceLifecycle
import Synchronization

/// Keeps a node's long-running parts (receiver, outbox, inputs, hello, pruning) running: a part that fails is
/// restarted with backoff; one that fails more than `maxFailures` times within `window` is stopped and the
/// central error handler told. Only an essential part stopping ends the node (the agent then exits non-zero:
/// it cannot do its job at all). ``service(_:essential:_:)`` makes a part a member of a `ServiceGroup`.
public final class Supervisor: Sendable {
    public enum PartState: Sendable, Equatable, CustomStringConvertible {
        case running
        case restarting(failures: Int, lastError: String)
        case stopped(reason: String)

        public var description: String {
            switch self {
            case .running: "running"
            case .restarting(let failures, let lastError): "restarting after \(failures) failures (last: \(lastError))"
            case .stopped(let reason): "stopped: \(reason)"
            }
        }
    }

    public struct Policy: Sendable {
        public var maxFailures = 5
        public var window: Duration = .seconds(60)
        public var backoff = Backoff(initial: 0.5, cap: 30)
        public init() {}
    }

    /// A part gave up, or ended when it should run until the node stops.
    public struct PartStopped: Error, CustomStringConvertible {
        public var part: String
        public var reason: String
        public var description: String { "\(part) stopped: \(reason)" }
    }

    private let policy: Policy
    private let gaveUp: @Sendable (String, String) -> Void
    private let states = Mutex<[String: PartState]>([:])

    /// `gaveUp` is told the part and the reason when a part is stopped for good.
    public init(policy: Policy = Policy(), gaveUp: @escaping @Sendable (String, String) -> Void) {
        self.policy = policy
        self.gaveUp = gaveUp
    }

    /// Every part and its state, by name.
    public var parts: [String: PartState] { states.withLock { $0 } }

    /// Runs `body` until the task is cancelled, restarting it when it throws or returns early.
    /// Throws ``PartStopped`` when an essential part gives up; a part that is not essential just ends.
    public func run(_ name: String, essential: Bool = true, _ body: @Sendable () async throws -> Void) async throws {
        var failures: [ContinuousClock.Instant] = []
        while !Task.isCancelled {
            setState(name, .running)
            let reason: String
            do {
                try await body()
                if Task.isCancelled { return }
                reason = "ended unexpectedly"
            } catch is CancellationError {
                return
            } catch {
                if Task.isCancelled { return }
                reason = "\(error)"
            }
            let now = ContinuousClock.now
            failures = failures.filter { now - $0 < policy.window } + [now]
            guard failures.count <= policy.maxFailures else {
                let summary =
                    "\(failures.count) failure\(failures.count == 1 ? "" : "s") within \(policy.window.components.seconds) s; last: \(reason)"
                setState(name, .stopped(reason: summary))
                gaveUp(name, summary)
                if essential { throw PartStopped(part: name, reason: summary) }
                return
            }
            setState(name, .restarting(failures: failures.count, lastError: reason))
            try await Task.sleep(for: policy.backoff.delay(afterAttempt: failures.count))
        }
    }

    /// `body` as a member of a `ServiceGroup`, run by ``run(_:essential:_:)`` and cancelled at graceful shutdown.
    /// An essential part that gives up ends the group with ``PartStopped``; another one just leaves it.
    public func service(
        _ name: String, essential: Bool = true, _ body: @escaping @Sendable () async throws -> Void
    ) -> ServiceGroupConfiguration.ServiceConfiguration {
        ServiceGroupConfiguration.ServiceConfiguration(
            service: PartService(name) { try await self.run(name, essential: essential, body) },
            successTerminationBehavior: essential ? .cancelGroup : .ignore, serviceName: name)
    }

    private func setState(_ name: String, _ state: PartState) {
        states.withLock { $0[name] = state }
    }
}
