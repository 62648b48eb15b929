import Logging
import Synchronization

/// The sending half of a node: the durable outbox and the tasks that carry each message to its node.
///
/// A message is accepted once it is in the store (one transaction per batch); from then on it is never lost.
/// Each message is carried by its own task from first attempt to final state; each destination has a ``Lane``
/// that keeps publishes in acceptance order and probes a node that is down instead of flooding it.
public final class Outbox: Sendable {
    public struct Configuration: Sendable {
        public var node: String
        public var defaults: DeliveryDefaults
        /// How long a destination's lane lives with nothing to send before it is retired.
        public var laneIdleTimeout: Duration = .seconds(60)
        /// Signs every accepted message (nil: sent unsigned).
        public var key: NodeKey?
        /// Which ACKs to believe (``TrustPolicy/refusal(ofReply:from:pinned:)``).
        public var trust = TrustPolicy()
        public init(node: String, defaults: DeliveryDefaults = .standard) {
            self.node = node
            self.defaults = defaults
        }
    }

    let configuration: Configuration
    let store: Store
    let journal: Journal
    let connection: NATSConnection
    let logger: Logger
    let errors: ErrorReporter
    private let work = Mailbox<OutboxRecord>()
    private let registry = Mutex(Registry())

    struct Registry {
        var lanes: [String: Lane] = [:]
        var deliveries: [String: DeliveryState] = [:]
        var observers: [UInt64: @Sendable (OutboxRecord) -> Void] = [:]
        var nextObserver: UInt64 = 0
    }

    public init(
        configuration: Configuration, store: Store, journal: Journal, connection: NATSConnection, errors: ErrorReporter,
        logger: Logger
    ) {
        self.configuration = configuration
        self.store = store
        self.journal = journal
        self.connection = connection
        self.errors = errors
        self.logger = logger
    }

    /// Accepts messages: fills in defaults, fans out `toNodes`, stores them all in one transaction, journals
    /// them, and hands them to their lanes. Returns the accepted records in order.
    @discardableResult
    public func accept(_ drafts: [Message], knownNodes: [String] = []) throws -> [OutboxRecord] {
        let now = Timestamp.now
        var messages: [Message] = []
        for draft in drafts {
            messages += try draft.accepted(
                from: configuration.node, defaults: configuration.defaults, knownNodes: knownNodes, now: now)
        }
        if let key = configuration.key { messages = messages.map(key.sign) }
        let records = try store.accept(messages, now: now)
        journal.append(records.map { Journal.Entry(time: now, event: .accepted, id: $0.id, node: $0.message.toNode,
            method: $0.message.method.rawValue, message: $0.message) })
        for record in records {
            notify(record)
            work.deliver(record)
        }
        return records
    }

    /// Resumes every unfinished message, oldest first, then carries new ones until cancelled.
    ///
    /// What was in the store when this starts is resumed from the store, a page at a time (so the first resend
    /// does not wait for a large outbox to load); what is accepted later comes through `work`. A message
    /// accepted just before the start is in both: the sequence bound keeps it from being carried twice.
    public func run() async throws {
        // A restart (by the supervisor) begins afresh: the lanes of the last run have ended with it.
        registry.withLock { registry in
            registry.lanes.removeAll()
            registry.deliveries.removeAll()
        }
        let resumeThrough = try store.lastOutboxSequence()
        try await withThrowingDiscardingTaskGroup { group in
            var resumed = 0
            var after: Int64 = 0
            while !Task.isCancelled {
                let page = try store.unfinishedOutbox(after: after, through: resumeThrough, limit: Self.resumePage)
                guard let last = page.last else { break }
                for record in page { start(record, in: &group) }
                resumed += page.count
                after = last.sequence
                // Let the first ones go out while the next page loads.
                await Task.yield()
            }
            if resumed > 0 { logger.info("resumed unfinished messages", metadata: ["count": "\(resumed)"]) }
            while let record = await work.receive() {
                if record.sequence > resumeThrough { start(record, in: &group) }
            }
        }
        await store.settle()
    }

    /// Unfinished messages read from the store per page when resuming.
    static let resumePage = 1000

    private func start(_ record: OutboxRecord, in group: inout ThrowingDiscardingTaskGroup<any Error>) {
        let node = record.message.toNode ?? ""
        let state = DeliveryState(record: record)
        let (lane, isNew) = registry.withLock { registry -> (Lane, Bool) in
            registry.deliveries[record.id] = state
            if let lane = registry.lanes[node] {
                lane.users.add(1, ordering: .relaxed)
                return (lane, false)
            }
            let lane = Lane(node: node, backoff: Backoff(
                initial: configuration.defaults.retryWait, cap: configuration.defaults.retryWaitCap))
            lane.users.add(1, ordering: .relaxed)
            registry.lanes[node] = lane
            return (lane, true)
        }
        if isNew {
            group.addTask { await lane.run(idleTimeout: self.configuration.laneIdleTimeout, retire: self.retire) }
        }
        lane.register(sequence: record.sequence)
        group.addTask {
            await self.carry(record, lane: lane, state: state)
            self.registry.withLock { _ = $0.deliveries.removeValue(forKey: record.id) }
            lane.users.subtract(1, ordering: .relaxed)
        }
    }

    /// Removes an idle lane, unless a message was started on it meanwhile; returns whether it was removed.
    private func retire(_ lane: Lane) -> Bool {
        registry.withLock { registry in
            guard lane.users.load(ordering: .relaxed) == 0, registry.lanes[lane.node] === lane else { return false }
            registry.lanes.removeValue(forKey: lane.node)
            return true
        }
    }

    /// A message came from `node`, so it is connected: a lane waiting for it probes at once instead of after
    /// its backoff.
    public func heard(from node: String) {
        guard let lane = registry.withLock({ $0.lanes[node] }), lane.isBlocked.load(ordering: .relaxed) else { return }
        Task { await lane.probeNow() }
    }

    /// This node's own link to NATS came back: every waiting lane probes at once.
    public func probeAll() {
        for lane in registry.withLock({ Array($0.lanes.values) }) where lane.isBlocked.load(ordering: .relaxed) {
            Task { await lane.probeNow() }
        }
    }

    /// Retry a message now: ends its retry wait and probes its node at once.
    public func retryNow(id: String) async {
        guard let state = registry.withLock({ $0.deliveries[id] }) else { return }
        state.wake.deliver(())
        if let node = try? store.outboxRecord(id: id)?.message.toNode,
            let lane = registry.withLock({ $0.lanes[node] })
        {
            await lane.probeNow()
        }
    }

    /// Cancels a message that is not final yet; returns whether there was one.
    @discardableResult
    public func cancel(id: String) -> Bool {
        guard let state = registry.withLock({ $0.deliveries[id] }) else { return false }
        state.values.withLock { $0.cancelled = true }
        state.wake.deliver(())
        return true
    }

    /// Calls `observer` with every record that changes, from any task. Returns a token for ``removeObserver(_:)``.
    public func addObserver(_ observer: @escaping @Sendable (OutboxRecord) -> Void) -> UInt64 {
        registry.withLock { registry -> UInt64 in
            registry.nextObserver += 1
            registry.observers[registry.nextObserver] = observer
            return registry.nextObserver
        }
    }

    public func removeObserver(_ token: UInt64) {
        _ = registry.withLock { $0.observers.removeValue(forKey: token) }
    }

    /// Whether anyone observes records; when nobody does, changed records need not be read back.
    var isObserved: Bool { registry.withLock { !$0.observers.isEmpty } }

    func notify(_ record: OutboxRecord) {
        for observer in registry.withLock({ Array($0.observers.values) }) { observer(record) }
    }
}
