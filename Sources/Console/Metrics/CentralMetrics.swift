import CoreMetrics
import Prometheus
import Shared
import Synchronization

/// The central's figures in Prometheus' text format: messages by state, each node's backlog, nodes by
/// liveness, the ACK latency histogram, the refusals and each node's latest metrics (``NodeGauges``). Recorded through swift-metrics' API into a
/// swift-prometheus registry of its own (no global bootstrap). The gauges are read from the store at each scrape;
/// latency and refusals are counted as the outbox's records change.
final class CentralMetrics: Sendable {
    private let registry = PrometheusCollectorRegistry()
    private let store: Store
    private let messages: [OutboxState: CoreMetrics.Gauge]
    private let nodes: [Liveness: CoreMetrics.Gauge]
    private let ackLatency: CoreMetrics.Timer
    private let refusals: CoreMetrics.Counter
    private let factory: PrometheusMetricsFactory
    /// One backlog gauge per node seen; a node whose backlog is gone reads 0.
    private let backlog = Mutex<[String: CoreMetrics.Gauge]>([:])
    /// Ids already counted, so a record reported twice in a final state counts once.
    private let counted = Mutex<Set<String>>([])

    /// ACK latency buckets, in seconds: from a LAN's milliseconds to a command that runs a minute.
    static let latencyBuckets: [Duration] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60].map {
        .milliseconds(Int64($0 * 1000))
    }

    private let nodeGauges: NodeGauges

    init(store: Store, dataDirectory: String) {
        self.store = store
        nodeGauges = NodeGauges(registry: registry, dataDirectory: dataDirectory)
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets["bosun_ack_latency_seconds"] = Self.latencyBuckets
        self.factory = factory
        messages = Dictionary(
            uniqueKeysWithValues: OutboxState.allCases.map {
                ($0, CoreMetrics.Gauge(label: "bosun_messages", dimensions: [("state", $0.rawValue)], factory: factory))
            })
        nodes = Dictionary(
            uniqueKeysWithValues: Liveness.allCases.map {
                ($0, CoreMetrics.Gauge(label: "bosun_nodes", dimensions: [("liveness", $0.rawValue)], factory: factory))
            })
        ackLatency = CoreMetrics.Timer(label: "bosun_ack_latency_seconds", factory: factory)
        refusals = CoreMetrics.Counter(label: "bosun_refusals_total", factory: factory)
    }

    /// Counts a changed record: an ACK's latency (acceptance to ACK, for messages acked at the first attempt, so
    /// time spent queued for an absent node does not count), a refusal by the receiving node.
    func observe(_ event: OutboxEvent) {
        guard event.state == .acked || event.state == .rejected else { return }
        let first = counted.withLock { ids in
            if ids.count > 100_000 { ids.removeAll() }
            return ids.insert(event.id).inserted
        }
        guard first else { return }
        if event.state == .rejected { return refusals.increment() }
        let (attempts, accepted, updated): (Int?, Timestamp?, Timestamp) =
            switch event {
            case .record(let record): (record.attempts, record.message.createdAt, record.updatedAt)
            case .changed(let change): (change.attempts, change.acceptedAt, change.updatedAt)
            }
        if attempts == 1, let accepted {
            ackLatency.recordNanoseconds(Int64(max(0, updated.seconds(since: accepted)) * 1e9))
        }
    }

    /// The figures now, as Prometheus reads them.
    func exposition(now: Timestamp = .now) -> String {
        refresh(now: now)
        return registry.emitToString()
    }

    private func refresh(now: Timestamp) {
        nodeGauges.refresh()
        if let counts = try? store.outboxCounts() {
            for (state, gauge) in messages { gauge.record(counts[state] ?? 0) }
        }
        if let known = try? store.nodes() {
            var byLiveness: [Liveness: Int] = [:]
            for node in known {
                let liveness = Liveness(
                    lastSeen: node.lastSeen, helloInterval: node.helloInterval, saidBye: node.saidBye, now: now)
                byLiveness[liveness, default: 0] += 1
            }
            for (liveness, gauge) in nodes { gauge.record(byLiveness[liveness] ?? 0) }
        }
        if let pending = try? store.outboxRecords(states: [.queued, .sending, .inProgress], limit: 1_000_000) {
            let perNode = Dictionary(grouping: pending.compactMap(\.message.toNode), by: { $0 }).mapValues(\.count)
            backlog.withLock { gauges in
                for node in perNode.keys where gauges[node] == nil {
                    gauges[node] = CoreMetrics.Gauge(
                        label: "bosun_node_backlog", dimensions: [("node", node)], factory: factory)
                }
                for (node, gauge) in gauges { gauge.record(perNode[node] ?? 0) }
            }
        }
    }
}
