import Logging
import Shared

extension CentralNode {
    /// Runs the engine; on the central node with the alert watcher beside it (`<data-dir>/alerts.json` is read
    /// first, so a broken file stops here with an error naming it and its key).
    static func run(_ runtime: NodeRuntime, logger: Logger) async throws {
        let configuration = runtime.configuration
        guard configuration.node == configuration.centralNode else {
            try await runtime.run()
            return
        }
        let watcher = AlertWatcher(
            rules: try AlertRules.load(dataDirectory: configuration.dataDirectory), store: runtime.store,
            metrics: try MetricsStore(path: configuration.dataDirectory + "/metrics.db"), errors: runtime.errors)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await runtime.run() }
            group.addTask {
                try await runtime.supervisor.run("alerts", essential: false) {
                    try await watcher.run(clock: ContinuousClock(), logger: logger)
                }
            }
            try await group.next()
            group.cancelAll()
        }
    }
}
