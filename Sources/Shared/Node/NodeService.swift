import Logging
import ServiceLifecycle
import UnixSignals

/// A node as a process runs it: `start` (connecting to NATS, which a graceful shutdown cuts short), then the runtime
/// and the parts `beside` gives in one `ServiceGroup`; the connection is closed at the end. A graceful shutdown
/// stops the parts in the reverse of their order, the runtime last, so the last part is the first to stop.
public struct NodeService: Service {
    private let start: @Sendable () async throws -> NodeRuntime
    private let beside: @Sendable (NodeRuntime) throws -> [ServiceGroupConfiguration.ServiceConfiguration]
    private let logger: Logger

    public init(
        logger: Logger, start: @escaping @Sendable () async throws -> NodeRuntime,
        beside: @escaping @Sendable (NodeRuntime) throws -> [ServiceGroupConfiguration.ServiceConfiguration] = { _ in []
        }
    ) {
        self.start = start
        self.beside = beside
        self.logger = logger
    }

    public func run() async throws {
        let runtime: NodeRuntime
        do {
            runtime = try await cancelWhenGracefulShutdown(start)
        } catch is CancellationError {
            return
        }
        do {
            try await runtime.run(beside: try beside(runtime))
        } catch {
            await runtime.connection.close()
            throw error
        }
        await runtime.connection.close()
    }

    /// Runs `services` until SIGTERM or SIGINT, then shuts them down gracefully.
    public static func runUntilSignalled(_ services: [any Service], logger: Logger) async throws {
        let group = ServiceGroup(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        try await group.run()
    }
}

extension NodeRuntime {
    /// Runs this node with `parts` beside it in one `ServiceGroup`, until the task is cancelled or the group it runs
    /// in shuts down gracefully; the parts stop before the node.
    public func run(beside parts: [ServiceGroupConfiguration.ServiceConfiguration]) async throws {
        let node = ServiceGroupConfiguration.ServiceConfiguration(service: self, serviceName: "node")
        try await ServiceGroup(configuration: ServiceGroupConfiguration(services: [node] + parts, logger: logger)).run()
    }
}
