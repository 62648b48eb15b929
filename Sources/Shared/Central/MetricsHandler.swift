import Synchronization

/// `metrics`: stores a node's sample in the central node's metrics store, `<data-dir>/metrics.db` (opened at the
/// first sample), samples arriving together in one transaction (``MetricsWriter``). A sample that cannot be
/// decoded is rejected, naming the field; one that cannot be stored is answered `error`, so the node sends it again.
final class MetricsHandler: MethodHandler {
    private let opened = Mutex<MetricsWriter?>(nil)
    private let now: @Sendable () -> Timestamp

    init(now: @escaping @Sendable () -> Timestamp = { .now }) {
        self.now = now
    }

    func handle(_ message: Message, context: HandlerContext) async -> Reply {
        guard let node = message.fromNode else {
            return context.reply(to: message, .rejected, error: "metrics without fromNode")
        }
        let sample: MetricsSample
        do {
            sample = try MetricsSample.decode(Array((message.data ?? "").utf8))
        } catch {
            return context.reply(to: message, .rejected, error: "field `data`: not a metrics sample: \(error)")
        }
        do {
            try await writer(dataDirectory: context.dataDirectory).record(sample, node: node)
            return context.reply(to: message, .ok)
        } catch {
            return context.reply(to: message, .error, error: "\(error)")
        }
    }

    private func writer(dataDirectory: String) throws(StoreError) -> MetricsWriter {
        try opened.withLock { opened throws(StoreError) in
            if let opened { return opened }
            let writer = MetricsWriter(store: try MetricsStore(path: dataDirectory + "/metrics.db"), now: now)
            opened = writer
            return writer
        }
    }
}
