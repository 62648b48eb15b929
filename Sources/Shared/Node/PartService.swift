import ServiceLifecycle

/// A long-lived part of a node as a `Service`: `body` runs until its group shuts down gracefully, which cancels it
/// (a `CancellationError` it throws then is the end it was asked for). The parts of a group are shut down in the
/// reverse of their order, each after the one after it has ended.
public struct PartService: Service, CustomStringConvertible {
    public let description: String
    private let body: @Sendable () async throws -> Void

    public init(_ name: String, _ body: @escaping @Sendable () async throws -> Void) {
        description = name
        self.body = body
    }

    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown(body)
        } catch is CancellationError {
        }
    }
}
