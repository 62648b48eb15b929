import Foundation
import Logging
import Shared

/// The central node's engine as the console's commands use it.
enum CentralNode {
    /// The data directory: `--data-dir`, `BOSUN_DATA_DIR`, or `~/.bosun`.
    static func dataDirectory(_ options: NodeOptions) -> String {
        dataDirectory(given: options.dataDirectory)
    }

    /// `given`, else `BOSUN_DATA_DIR`, else `~/.bosun`.
    static func dataDirectory(given: String?) -> String {
        given ?? Environment.value("BOSUN_DATA_DIR") ?? (ProcessInfo.processInfo.environment["HOME"] ?? ".") + "/.bosun"
    }

    static func configuration(_ options: NodeOptions, name: String) throws -> NodeRuntime.Configuration {
        let node = try options.nodeName(default: options.central)
        var configuration = NodeRuntime.Configuration(
            node: node, dataDirectory: dataDirectory(options), nats: options.natsConfiguration(name: name))
        try options.configure(&configuration)
        configuration.nats.sendAsap = true
        configuration.nats.inboxPrefix = NATSConfiguration.inboxPrefix(for: node)
        configuration.helloInterval = node == options.central ? nil : LivenessDefaults.helloInterval
        return configuration
    }

    /// Starts the engine for `configuration`; the central handlers are on when this node is the central one.
    /// `observe` hears of every message a central handler has handled (hellos, byes, error reports).
    static func start(
        _ configuration: NodeRuntime.Configuration, connectFor: Duration?, logger: Logger,
        observe: (@Sendable (Message) -> Void)? = nil
    ) async throws -> NodeRuntime {
        let isCentral = configuration.node == configuration.centralNode
        return try await NodeRuntime(configuration: configuration, connectFor: connectFor, logger: logger) {
            store, errors in
            guard isCentral else { return [:] }
            let handlers = CentralHandlers.make(store: store, errors: errors, trust: configuration.trust)
            guard let observe else { return handlers }
            return handlers.mapValues { handler -> any MethodHandler in
                guard let immediate = handler as? any ImmediateMethodHandler else {
                    return ObservedHandler(inner: handler, observe: observe)
                }
                return ObservedImmediateHandler(inner: immediate, observe: observe)
            }
        }
    }

    static func logger(level: Logger.Level) -> Logger {
        var logger = Logger(label: "bosun")
        logger.logLevel = level
        return logger
    }
}
