import Shared
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The console's picture of the central engine: known nodes, the outbox and the error log, kept up to date
/// from engine events (outbox changes, hellos and byes, reported errors) and posted to the console as a
/// snapshot at most `maxSnapshotsPerSecond` times a second. Nothing here asks a node anything over NATS.
final class ConsoleFeed: Sendable {
    private struct Model {
        var nodes: [String: NodeRecord] = [:]
        /// The outbox, oldest first (by sequence).
        var records: [OutboxRecord] = []
        var positions: [String: Int] = [:]
        var errors: [ErrorRecord] = []
        var errorLogSize = -1
        /// Nodes whose row must be read again from the store.
        var changedNodes: Set<String> = []
        var connected: Bool?
        /// Whether something changed since the last snapshot.
        var dirty = true
        var metrics: [String: NodeMetrics] = [:]
        var metricsChanged = false
        /// The rollouts' records, read again once a second, and what was last posted of them.
        var rollouts: [RolloutRecord] = []
        var rolloutsReadAt: ContinuousClock.Instant?
        var rolloutSummaries: [RolloutSummary] = []
        /// `bosun send --at` batches waiting, as last posted.
        var scheduled = 0
        /// `--mailbox jetstream`: every node's messages as the servers' streams keep them (``MailboxHistory``),
        /// shown beside this data directory's own.
        var shared: [OutboxRecord] = []
    }

    /// At most this many snapshots a second. Default: 10, the console's frame rate.
    static let maxSnapshotsPerSecond = 10

    private let store: Store
    private let dataDirectory: String
    private let isConnected: @Sendable () -> Bool
    private let post: @Sendable (ConsoleEvent) -> Void
    private let model = Mutex(Model())
    private let wake: AsyncStream<Void>
    private let wakeUp: AsyncStream<Void>.Continuation

    init(
        store: Store, dataDirectory: String, isConnected: @escaping @Sendable () -> Bool,
        post: @escaping @Sendable (ConsoleEvent) -> Void
    ) {
        self.store = store
        self.dataDirectory = dataDirectory
        self.isConnected = isConnected
        self.post = post
        (wake, wakeUp) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Reads everything the store knows (the last-known state, before any new hello) and posts it.
    func load() throws {
        let nodes = try store.nodes()
        let records = try store.outboxRecords(limit: Int.max).reversed()
        let metrics = NodeMetrics.load(dataDirectory: dataDirectory, now: .now)
        model.withLock { model in
            model.nodes = Dictionary(nodes.map { ($0.name, $0) }) { $1 }
            model.records = Array(records)
            model.positions = Dictionary(model.records.enumerated().map { ($1.id, $0) }) { $1 }
            model.metrics = metrics
            model.metricsChanged = !metrics.isEmpty
        }
        flush()
    }

    /// A message's record or a change to it, from the outbox's observer (any thread). A message that has just
    /// ended is also said on the flash line.
    func outboxChanged(_ event: OutboxEvent) {
        guard case .changed(let change) = event else {
            if case .record(let record) = event { recordChanged(record) }
            return
        }
        // A change to a message this feed has: applied to its copy, under the lock.
        let ended = model.withLock { model -> OutboxRecord?? in
            guard let position = model.positions[change.id] else { return nil }
            let previous = model.records[position]
            let record = previous.applying(change)
            model.records[position] = record
            model.dirty = true
            return .some(!previous.state.isFinal && record.state.isFinal ? record : nil)
        }
        switch ended {
        case .some(let record):
            if let record { post(Self.ending(record)) }
            wakeUp.yield()
        case .none:
            // Not seen yet (it came before the feed loaded): read once.
            if let stored = try? store.outboxRecord(id: change.id) { recordChanged(stored.applying(change)) }
        }
    }

    /// `--mailbox jetstream`: the servers' record of every node's messages (read again every few seconds), so
    /// this console shows what other operators sent and the answers that came while it was not there.
    func takeShared(_ records: [OutboxRecord]) {
        let changed = model.withLock { model -> Bool in
            guard model.shared != records else { return false }
            model.shared = records
            model.dirty = true
            return true
        }
        if changed { wakeUp.yield() }
    }

    /// A message's whole record.
    func recordChanged(_ record: OutboxRecord) {
        let previous = model.withLock { model -> OutboxRecord? in
            defer { model.dirty = true }
            if let position = model.positions[record.id] {
                defer { model.records[position] = record }
                return model.records[position]
            } else if let last = model.records.last, last.sequence > record.sequence {
                // Notifications of two batches may cross: keep the list in acceptance order.
                let position = model.records.partitioningIndex { $0.sequence > record.sequence }
                model.records.insert(record, at: position)
                for index in position..<model.records.count { model.positions[model.records[index].id] = index }
            } else {
                model.positions[record.id] = model.records.count
                model.records.append(record)
            }
            return nil
        }
        if let previous, !previous.state.isFinal, record.state.isFinal { post(Self.ending(record)) }
        wakeUp.yield()
    }

    /// The flash for a message that has just ended: `delivered 7f3a2c cliCommand uptime to pi-garage: acked · exit 0`.
    static func ending(_ record: OutboxRecord) -> ConsoleEvent {
        let node = record.message.toNode ?? "?"
        let attempts = record.attempts == 1 ? "" : " after \(record.attempts) attempts"
        let text = "\(ShortID.of(record.id)) \(record.commandText)"
        switch record.state {
        case .acked where record.reply?.status == .ok:
            let exit = record.reply?.exitCode.map { " · exit \($0)" } ?? ""
            return .flash("delivered \(text) to \(node): acked\(attempts)\(exit)")
        case .acked, .sent:
            return .flash("\(text) \(record.state.rawValue) by \(node)\(attempts): \(record.reply?.error ?? "")")
        default:
            return .flashError("\(text) to \(node) \(record.state.rawValue)\(attempts): \(record.lastError ?? "")")
        }
    }

    /// A central handler has handled `message`: a hello or bye changed its node, an error was logged.
    func handled(_ message: Message) {
        if message.method == .hello || message.method == .bye, let node = message.fromNode {
            model.withLock { _ = $0.changedNodes.insert(node) }
        }
        if message.method == .metrics, let node = message.fromNode,
            let sample = try? MetricsSample.decode(Array((message.data ?? "").utf8))
        {
            model.withLock { model in
                model.metrics[node, default: NodeMetrics(time: sample.time)].add(sample)
                model.metricsChanged = true
            }
        }
        model.withLock { $0.dirty = true }
        wakeUp.yield()
    }

    /// Posts a snapshot after each burst of changes, at most `maxSnapshotsPerSecond` times a second, and checks
    /// the connection and the error log once a second; until cancelled.
    func run() async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: .seconds(1))
                    self.wakeUp.yield()
                }
            }
            group.addTask {
                let pause = Duration.milliseconds(1000 / Self.maxSnapshotsPerSecond)
                for await _ in self.wake {
                    self.flush()
                    try? await Task.sleep(for: pause)
                }
            }
            await group.next()
            group.cancelAll()
        }
        wakeUp.finish()
    }

    /// Reads what changed and posts the connection state and a snapshot, each when it changed.
    func flush() {
        let names = model.withLock { model in
            defer { model.changedNodes = [] }
            return model.changedNodes
        }
        var nodes: [NodeRecord] = []
        for name in names { if let node = try? store.node(named: name) { nodes.append(node) } }
        let errorLog = dataDirectory + "/errors.jsonl"
        var info = stat()
        let size = stat(errorLog, &info) == 0 ? Int(info.st_size) : 0
        let readErrors = model.withLock { $0.errorLogSize != size }
        let errors = readErrors ? Array(ErrorReporter.entries(dataDirectory: dataDirectory).reversed()) : nil
        let connected = isConnected()
        let (changedConnection, snapshot) = model.withLock { model -> (Bool, ConsoleEvent?) in
            for node in nodes { model.nodes[node.name] = node }
            if let errors {
                model.errors = errors
                model.errorLogSize = size
            }
            let changed = model.connected != connected
            model.connected = connected
            guard model.dirty || !nodes.isEmpty || errors != nil else { return (changed, nil) }
            model.dirty = false
            let local = Array(model.records.reversed())
            let messages = model.shared.isEmpty ? local : MailboxHistory.merge(local: local, shared: model.shared)
            let event = ConsoleEvent.snapshot(
                nodes: model.nodes.values.sorted { $0.name < $1.name }, messages: messages, errors: model.errors)
            return (changed, event)
        }
        let metrics = model.withLock { model -> [String: NodeMetrics]? in
            defer { model.metricsChanged = false }
            return model.metricsChanged ? model.metrics : nil
        }
        if let metrics { post(.metrics(metrics)) }
        if let rollouts = rolloutsChanged() { post(.rollouts(rollouts)) }
        let scheduled = ScheduledSends(dataDirectory: dataDirectory).waiting().count
        let scheduledChanged = model.withLock { model in
            defer { model.scheduled = scheduled }
            return model.scheduled != scheduled
        }
        if scheduledChanged { post(.scheduled(scheduled)) }
        if changedConnection { post(.connection(connected ? "connected" : "reconnecting")) }
        if let snapshot { post(snapshot) }
    }
}

extension ConsoleFeed {
    /// The rollouts with their outcomes, when they differ from the ones last posted; the records are read again
    /// at most once a second, the outcomes come from the outbox held here.
    private func rolloutsChanged() -> [RolloutSummary]? {
        let now = ContinuousClock.now
        let due = model.withLock { model in model.rolloutsReadAt.map { now - $0 >= .seconds(1) } ?? true }
        let read = due ? RolloutRecord.all(dataDirectory: dataDirectory) : nil
        return model.withLock { model -> [RolloutSummary]? in
            if let read {
                model.rollouts = read
                model.rolloutsReadAt = now
            }
            let summaries = model.rollouts.map { rollout in
                RolloutSummary(rollout) { id in model.positions[id].map { model.records[$0] } }
            }
            guard summaries != model.rolloutSummaries else { return nil }
            model.rolloutSummaries = summaries
            return summaries
        }
    }
}

extension Array {
    /// The first index whose element satisfies `belongs`, for an array where those elements come last.
    func partitioningIndex(where belongs: (Element) -> Bool) -> Int {
        var low = 0
        var high = count
        while low < high {
            let middle = (low + high) / 2
            if belongs(self[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }
}
