import Logging
import Shared

extension AgentCommand {
    /// `--metrics-mounts` split at commas; nil when not given.
    var metricsMountList: [String]? {
        metricsMounts.map { $0.split(separator: ",").map(String.init).filter { !$0.isEmpty } }
    }

    /// The metrics loop for this node, or nil when metrics are off (`--metrics-interval 0`, `"metricsInterval": 0`
    /// in agent.json, or this is the central node, which has no one to send them to). Flags win over the file.
    func metricsReporter(
        node: String, central: String, file: AgentConfigFile, runtime: NodeRuntime, logger: Logger
    ) -> MetricsReporter<ContinuousClock>? {
        let interval = metricsInterval ?? file.metricsInterval ?? MetricsDefaults.interval
        guard interval > 0, node != central else { return nil }
        let dataDirectory = runtime.configuration.dataDirectory
        let mounts = metricsMountList ?? file.metricsMounts ?? MountTable.defaultMounts(dataDirectory: dataDirectory)
        return MetricsReporter(
            mounts: mounts, interval: .seconds(interval), central: central, clock: ContinuousClock(),
            store: runtime.store, send: { try runtime.accept($0) }, logger: logger)
    }
}
