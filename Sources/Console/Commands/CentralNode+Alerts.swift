import Logging
import ServiceLifecycle
import Shared

extension CentralNode {
    /// The alert watcher that runs beside the engine on the central node, none elsewhere. `<data-dir>/alerts.json`
    /// is read here, so a broken file stops the start with an error naming it and its key.
    static func alerts(
        _ runtime: NodeRuntime, logger: Logger
    ) throws -> [ServiceGroupConfiguration.ServiceConfiguration] {
        let configuration = runtime.configuration
        guard configuration.node == configuration.centralNode else { return [] }
        let watcher = AlertWatcher(
            rules: try AlertRules.load(dataDirectory: configuration.dataDirectory), store: runtime.store,
            metrics: try MetricsStore(path: configuration.dataDirectory + "/metrics.db"), errors: runtime.errors)
        return [
            runtime.supervisor.service("alerts", essential: false) {
                try await watcher.run(clock: ContinuousClock(), logger: logger)
            }
        ]
    }

    /// Runs the engine, with the alert watcher beside it on the central node, until the task is cancelled.
    static func run(_ runtime: NodeRuntime, logger: Logger) async throws {
        try await runtime.run(beside: try alerts(runtime, logger: logger))
    }
}
