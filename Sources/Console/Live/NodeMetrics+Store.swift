import Shared

extension NodeMetrics {
    /// The recent metrics of every node in the central node's metrics store (`<data-dir>/metrics.db`), so the
    /// console shows them from its first frame; empty when there is no store yet.
    static func load(dataDirectory: String, now: Timestamp) -> [String: NodeMetrics] {
        let path = dataDirectory + "/metrics.db"
        guard FileSystem.exists(path), let store = try? MetricsStore(path: path) else { return [:] }
        // Ten minutes back: ``historyLength`` samples at the default interval.
        let since = now.adding(seconds: -Double(historyLength) * MetricsDefaults.interval)
        var result: [String: NodeMetrics] = [:]
        for node in (try? store.nodes()) ?? [] {
            guard let series = try? store.series(node: node, since: since, now: now).series else { continue }
            var metrics = NodeMetrics(time: since)
            // One sample per time: the values taken together, the fullest disk of each.
            var byTime: [Timestamp: [Kind: Double]] = [:]
            for (metric, points) in series {
                if metric == "queue" { metrics.queue = points.last.map { Int($0.mean) } }
                let kind = metric.hasPrefix("disk:") ? .disk : Kind.allCases.first { $0.name == metric }
                guard let kind else { continue }
                for point in points { byTime[point.time, default: [:]][kind] = max(byTime[point.time]?[kind] ?? -1, point.mean) }
            }
            for time in byTime.keys.sorted() { metrics.add(time: time, byTime[time]!.mapValues { $0 }) }
            if !byTime.isEmpty { result[node] = metrics }
        }
        return result
    }
}
