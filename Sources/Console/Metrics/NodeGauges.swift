import Prometheus
import Shared
import Synchronization

/// The latest sample of each node's metrics (from the central node's `metrics.db`) as Prometheus gauges labelled
/// by node: `bosun_node_cpu_percent{node="pi-1"}`, `bosun_node_disk_percent{node="pi-1",mount="/"}`, … A gauge
/// whose metric is no longer in the store (a node silent for longer than raw values are kept) is dropped.
final class NodeGauges: Sendable {
    private let registry: PrometheusCollectorRegistry
    private let path: String
    /// Opened at the first scrape that finds the file (the central node creates it with the first sample).
    private let store = Mutex<MetricsStore?>(nil)
    /// The gauges served, by name and labels.
    private let gauges = Mutex<[String: Gauge]>([:])

    init(registry: PrometheusCollectorRegistry, dataDirectory: String) {
        self.registry = registry
        path = dataDirectory + "/metrics.db"
    }

    /// The Prometheus name and extra labels of a stored metric; nil for one not served.
    static func gauge(for metric: String) -> (name: String, labels: [(String, String)])? {
        let simple = [
            "cpu": "bosun_node_cpu_percent", "mem": "bosun_node_mem_percent", "swap": "bosun_node_swap_percent",
            "temp": "bosun_node_temperature_celsius", "load1": "bosun_node_load1", "queue": "bosun_node_queue",
            "queueAge": "bosun_node_queue_age_seconds", "rss": "bosun_node_agent_rss_bytes",
            "throttled": "bosun_node_throttled",
        ]
        if let name = simple[metric] { return (name, []) }
        if metric.hasPrefix("disk:") { return ("bosun_node_disk_percent", [("mount", String(metric.dropFirst(5)))]) }
        let parts = metric.split(separator: ":", omittingEmptySubsequences: false)
        if parts.count == 3, parts[0] == "net", parts[2] == "rx" || parts[2] == "tx" {
            let direction = parts[2] == "rx" ? "receive" : "transmit"
            return ("bosun_node_net_\(direction)_bytes_per_second", [("interface", String(parts[1]))])
        }
        return nil
    }

    /// Reads the store and sets (or drops) the gauges.
    func refresh() {
        guard let latest = try? openStore()?.latestOfAllNodes() else { return }
        var seen: [String: (name: String, labels: [(String, String)], value: Double)] = [:]
        for (node, values) in latest {
            for (metric, value) in values {
                guard let (name, labels) = Self.gauge(for: metric) else { continue }
                let all = [("node", node)] + labels
                seen[name + all.map { "|\($0.0)=\($0.1)" }.joined()] = (name, all, value)
            }
        }
        gauges.withLock { gauges in
            for (key, gauge) in gauges where seen[key] == nil {
                registry.unregisterGauge(gauge)
                gauges[key] = nil
            }
            for (key, entry) in seen {
                let gauge =
                    gauges[key]
                    ?? registry.makeGauge(
                        descriptor: MetricNameDescriptor(
                            metricName: entry.name, unitName: "", helpText: "The node's latest metrics sample"),
                        labels: entry.labels)
                gauges[key] = gauge
                gauge.set(to: entry.value)
            }
        }
    }

    private func openStore() -> MetricsStore? {
        store.withLock { store in
            if store == nil, FileSystem.exists(path) { store = try? MetricsStore(path: path) }
            return store
        }
    }
}
