import Dispatch
import Logging
import Synchronization

/// The sending half of a node: the durable outbox and one ``Lane`` per destination that carries its messages.
///
/// A message is accepted once it is in the store (one transaction per batch, signed and encoded once); from then
/// on it is never lost. Lanes read what they send from the store a window at a time, so memory follows the number
/// of destinations, never the backlog; answers come back through one reply subscription and are routed to their
/// lane by subject.
public final class Outbox: Sendable {
    public struct Configuration: Sendable {
        public var node: String
        public var defaults: DeliveryDefaults
        /// How long a destination's lane lives with nothing to send before it is retired.
        public var laneIdleTimeout: Duration = .seconds(60)
        /// Signs every accepted message (nil: sent unsigned).
        public var key: KeyRing?
        /// Stores a signature with every message, even one to a node whose lane sends it with a MAC instead: the
        /// stored copy goes elsewhere too (`--mailbox jetstream`), to a reader that checks signatures.
        public var signsEveryMessage = false
        /// Which ACKs to believe (``TrustPolicy/refusal(ofReply:from:pinned:)``).
        public var trust = TrustPolicy()
        /// Where time comes from (tests pass their own).
        public var clock: any DeliveryClock = SystemClock()
        public init(node: String, defaults: DeliveryDefaults = .standard) {
            self.node = node
            self.defaults = defaults
        }
    }

    let configuration: Configuration
    let store: Store
    let journal: Journal
    let transport: any Transport
    let logger: Logger
    let errors: ErrorReporter
    /// Lanes made by `accept` (or at the start), for `run` to start.
    private let newLanes = Mailbox<Lane>()
    private let registry = Mutex(Registry())
    /// What the lanes share, while `run` runs: a lane made then starts at once, on the thread that needs it.
    private let laneContext = Mutex<LaneContext?>(nil)

    private struct Registry {
        var lanes: [String: Lane] = [:]
        var byToken: [String: Lane] = [:]
        var nextToken: UInt64 = 0
        var observers: [UInt64: @Sendable (OutboxEvent) -> Void] = [:]
        var nextObserver: UInt64 = 0
    }

    public init(
        configuration: Configuration, store: Store, journal: Journal, transport: any Transport, errors: ErrorReporter,
        logger: Logger
    ) {
        self.configuration = configuration
        self.store = store
        self.journal = journal
        self.transport = transport
        self.errors = errors
        self.logger = logger
    }

    /// Accepts messages: fills in defaults, fans out `toNodes`, signs and stores them all in one transaction,
    /// journals them, and wakes their lanes. Returns the accepted records in order.
    /// `signer` signs them instead of the node's key (a key rotation's own messages, signed by the old key).
    @discardableResult
    public func accept(_ drafts: [Message], knownNodes: [String] = [], signer: NodeKey? = nil) throws -> [OutboxRecord] {
        let now = configuration.clock.now
        var messages: [Message] = []
        for draft in drafts {
            messages += try draft.accepted(
                from: configuration.node, defaults: configuration.defaults, knownNodes: knownNodes, now: now)
        }
        let key = signer ?? configuration.key?.current
        // A message to a node whose lane sends with a MAC (``Lane/takesMACs``) is stored unsigned: the lane
        // authenticates it when it sends it, for a twentieth of a signature, and signs it then should the node stop
        // taking MACs. A message signed by a given key (a key rotation's) keeps its signature.
        let macNodes = key == nil || signer != nil || configuration.signsEveryMessage ? [] : macTakers(of: messages)
        let accepted = try store.acceptEncoded(messages, now: now, signer: key?.publicKey) { subject, payload in
            if !macNodes.isEmpty, let node = Subject(parsing: subject)?.node, macNodes.contains(node) { return nil }
            return key?.signature(subject: subject, payload: payload)
        }
        let records = accepted.map(\.record)
        // The journal's copy of each message is the JSON just stored, not a second encoding of it.
        journal.append(accepted.map { accepted in
            let record = accepted.record
            var entry = Journal.Entry(time: now, event: .accepted, id: record.id, node: record.message.toNode,
                method: record.message.method.rawValue, message: record.message)
            entry.encodedMessage = accepted.outgoing.payload
            return entry
        })
        // Each lane is handed what was stored for it, so that it need not read it back (``Lane/Handed``).
        var woken: [Lane] = []
        var handed: [String: [Lane.Handed]] = [:]
        for accepted in accepted {
            if isObserved { notify(accepted.record) }
            guard let node = accepted.record.message.toNode else { continue }
            if handed[node] == nil { woken.append(lane(for: node)) }
            handed[node, default: []].append(Lane.Handed(message: accepted.outgoing, previous: accepted.previous))
        }
        primeKeyRecords(of: woken)
        // A lane that retired meanwhile hands over to the node's new one.
        for lane in woken where !lane.wake(handing: handed[lane.node] ?? []) {
            self.lane(for: lane.node).wake(handing: handed[lane.node] ?? [])
        }
        return records
    }

    /// The destinations of `messages` whose lanes send with a MAC now.
    private func macTakers(of messages: [Message]) -> Set<String> {
        registry.withLock { registry in
            var nodes = Set<String>()
            for message in messages {
                if let node = message.toNode, registry.lanes[node]?.takesMACs.load(ordering: .relaxed) == true { nodes.insert(node) }
            }
            return nodes
        }
    }

    /// A trim is under way (``burstEnded()``): one at a time.
    private let trimming = Atomic<Bool>(false)
    /// Times memory was given back: what a test counts.
    let trims = Atomic<Int>(0)

    /// Messages a lane carries to their end in one burst past which, once it has nothing left, memory is given back.
    static let trimAfter = 1000

    /// A lane carried a burst of ``trimAfter`` messages or more (a thousand commands from one input, say) and has
    /// nothing left to do: the heap they grew is handed back to the system (glibc keeps freed memory otherwise: a
    /// central node stayed a megabyte above what it needs after one). On a utility thread, not the lane's, and one
    /// at a time: `malloc_trim` takes every arena's lock in turn.
    func burstEnded() {
        guard !trimming.exchange(true, ordering: .acquiringAndReleasing) else { return }
        DispatchQueue.global(qos: .utility).async { [self] in
            MallocTuning.trim()
            trims.add(1, ordering: .relaxed)
            trimming.store(false, ordering: .releasing)
        }
    }

    /// A batch for this many destinations or more (a fan-out) reads their key records at once for their lanes.
    static let fanOutKeyRead = 64

    /// Hands the lanes of a fan-out their nodes' key records, read in one statement, so that each does not read
    /// its own when its first ACK comes (an ACK the record shows wrong is checked against a fresh read anyway).
    private func primeKeyRecords(of lanes: [Lane]) {
        guard lanes.count >= Self.fanOutKeyRead, let records = try? store.keyRecords(nodes: lanes.map(\.node)) else { return }
        for lane in lanes { lane.primedKeyRecord.withLock { $0 = .some(records[lane.node]) } }
    }

    /// Carries every unfinished message, and what is accepted later, until cancelled.
    public func run() async throws {
        defer {
            // A restart (by the supervisor) begins afresh: the lanes of this run end with it.
            laneContext.withLock { $0 = nil }
            registry.withLock { registry in
                registry.lanes.removeAll()
                registry.byToken.removeAll()
            }
            while newLanes.poll() != nil {}
        }
        let resumeThrough = try store.lastOutboxSequence()
        let subscription = try transport.subscribeReplies { [weak self] in self?.route($0) }
        let context = LaneContext(
            node: configuration.node, store: store, journal: journal, publisher: transport,
            replyPrefix: subscription.prefix, resumeThrough: resumeThrough, window: configuration.defaults.window,
            retryWaitCap: configuration.defaults.retryWaitCap, probeWait: configuration.defaults.retryWait,
            idleTimeout: configuration.laneIdleTimeout, trust: configuration.trust, signer: configuration.key, errors: errors, logger: logger,
            clock: configuration.clock, changed: { [weak self] in self?.changed($0) },
            burstEnded: { [weak self] in self?.burstEnded() })
        laneContext.withLock { $0 = context }
        let destinations = try store.unfinishedDestinations()
        for node in destinations { lane(for: node).wake() }
        if !destinations.isEmpty {
            logger.info("resuming unfinished messages", metadata: ["destinations": "\(destinations.count)"])
        }
        await withDiscardingTaskGroup { group in
            while let lane = await newLanes.receive() {
                group.addTask { await lane.run(context, retire: self.retire) }
            }
        }
        withExtendedLifetime(subscription) {}
        await store.settle()
        journal.flush()
    }

    /// The lane for `node`, made (and handed to `run`) if there is none.
    private func lane(for node: String) -> Lane {
        let (lane, isNew) = registry.withLock { registry -> (Lane, Bool) in
            if let lane = registry.lanes[node] { return (lane, false) }
            registry.nextToken += 1
            let lane = Lane(node: node, token: String(registry.nextToken, radix: 36))
            registry.lanes[node] = lane
            registry.byToken[lane.token] = lane
            return (lane, true)
        }
        guard isNew else { return lane }
        if let context = laneContext.withLock({ $0 }) { lane.start(context) }
        newLanes.deliver(lane)
        return lane
    }

    /// Removes an idle lane unless a message was accepted for it since `generation`; returns whether it did.
    private func retire(_ lane: Lane, generation: UInt64) -> Bool {
        registry.withLock { registry in
            guard registry.lanes[lane.node] === lane, lane.retire(ifStill: generation) else { return false }
            registry.lanes.removeValue(forKey: lane.node)
            registry.byToken.removeValue(forKey: lane.token)
            return true
        }
    }

    /// An answer on the reply subscription (`<prefix>.<lane>.<sequence>`): to its lane.
    private func route(_ answer: NATSMessage) {
        // The token before the last: found from the end, without splitting the whole subject.
        let subject = answer.subject.utf8
        guard let last = subject.lastIndex(of: UInt8(ascii: ".")),
            let before = subject[..<last].lastIndex(of: UInt8(ascii: ".")),
            let token = String(subject[subject.index(after: before)..<last]),
            let lane = registry.withLock({ $0.byToken[token] })
        else { return }
        // A lane's first answer may need the key agreement with its node (an X25519 and a conversion, about 50 µs):
        // checked on a worker thread, so that the first answers of a fan-out, which all come on this subscription's
        // one thread, are spread over the cores. A few at a time: a flood of answers waits here, not in memory.
        if !lane.agreed.load(ordering: .relaxed) {
            if agreeing.add(1, ordering: .relaxed).newValue <= Self.mostAgreeing {
                DispatchQueue.global().async { [self] in
                    lane.deliver(.reply(answer))
                    agreeing.subtract(1, ordering: .relaxed)
                }
                return
            }
            agreeing.subtract(1, ordering: .relaxed)
        }
        lane.deliver(.reply(answer))
    }

    /// Answers being checked off the reply subscription's thread (``route(_:)``), and how many may be at once.
    private let agreeing = Atomic<Int>(0)
    private static let mostAgreeing = 64

    /// A message came from `node`, so it is connected: a lane waiting for it probes at once instead of after
    /// its backoff.
    public func heard(from node: String) {
        guard let lane = registry.withLock({ $0.lanes[node] }), lane.isBlocked.load(ordering: .relaxed) else { return }
        lane.deliver(.probeNow)
    }

    /// This node's own link to NATS came back: every waiting lane probes at once.
    public func probeAll() {
        for lane in registry.withLock({ Array($0.lanes.values) }) where lane.isBlocked.load(ordering: .relaxed) {
            lane.deliver(.probeNow)
        }
    }

    /// Retry a message now: ends its retry wait, or probes its node at once.
    public func retryNow(id: String) async {
        guard let node = try? store.outboxRecord(id: id)?.message.toNode else { return }
        lane(for: node).deliver(.retryNow(id: id))
    }

    /// Cancels a message that is not final yet; returns whether there was one.
    @discardableResult
    public func cancel(id: String) -> Bool {
        let now = configuration.clock.now
        guard (try? store.cancelUnfinished(id: id, now: now)) == true, let record = try? store.outboxRecord(id: id)
        else { return false }
        journal.append(Journal.Entry(time: now, event: .cancelled, id: id, node: record.message.toNode,
            reason: record.lastError))
        if let node = record.message.toNode, let lane = registry.withLock({ $0.lanes[node] }) {
            lane.deliver(.cancelled(id: id))
        }
        if isObserved { notify(record) }
        return true
    }

    /// Calls `observer` with every change of a record, from any task (see ``OutboxEvent``). Returns a token for
    /// ``removeObserver(_:)``.
    public func addObserver(_ observer: @escaping @Sendable (OutboxEvent) -> Void) -> UInt64 {
        registry.withLock { registry -> UInt64 in
            registry.nextObserver += 1
            registry.observers[registry.nextObserver] = observer
            return registry.nextObserver
        }
    }

    public func removeObserver(_ token: UInt64) {
        _ = registry.withLock { $0.observers.removeValue(forKey: token) }
    }

    /// Whether anyone observes records; when nobody does, records need not be made for them.
    var isObserved: Bool { registry.withLock { !$0.observers.isEmpty } }

    /// Tells observers a message's whole record.
    func notify(_ record: OutboxRecord) {
        notify(.record(record))
    }

    private func notify(_ event: OutboxEvent) {
        for observer in registry.withLock({ Array($0.observers.values) }) { observer(event) }
    }

    /// A lane changed a message: observers hear of the change as it is, nothing read back from the store.
    private func changed(_ change: OutboxChange) {
        notify(.changed(change))
    }
}

/// Waiting for a node that is not connected: the mark `bosun send` and the console recognise.
extension Outbox {
    static let noRespondersMark = "(no responders)"

    static func waitingForNode(_ node: String) -> String {
        "node \(node) is not connected " + noRespondersMark
    }

    /// Whether the message waits because its node is not connected (its last attempt found no responders).
    public static func isWaitingForNode(_ record: OutboxRecord) -> Bool {
        !record.state.isFinal && (record.lastError?.hasSuffix(noRespondersMark) ?? false)
    }
}
