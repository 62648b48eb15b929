import Logging
import Shared

extension AgentCommand {
    /// `--metrics-mounts` split at commas; nil when not given.
    var metricsMountList: [String]? {
        metricsMounts.map { $0.split(separator: ",").map(String.init).filter { !$0.isEmpty } }
    }

    /// The metrics loop for this node, or nil when metrics are off (`--metrics-interval 0`, or this is the central
    /// node, which has no one to send them to).
    func metricsReporter(
        node: String, central: String, runtime: NodeRuntime, logger: Logger
    ) -> MetricsReporter<ContinuousClock>? {
        guard metricsInterval > 0, node != central else { return nil }
        let dataDirectory = runtime.configuration.dataDirectory
        let mounts = metricsMountList ?? MountTable.defaultMounts(dataDirectory: dataDirectory)
        return MetricsReporter(
            mounts: mounts, interval: .seconds(metricsInterval), central: central, clock: ContinuousClock(),
            store: runtime.store, send: { try runtime.accept($0) }, logger: logger)
    }
}
