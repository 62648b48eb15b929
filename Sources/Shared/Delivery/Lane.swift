import Synchronization

/// The publisher for one destination node: grants each message its turn to publish, in acceptance order.
///
/// While the node answers, every waiting message is published at once, oldest first, so the receiver sees
/// them in order. Once a publish finds no responders (the node is not connected) the lane is blocked: only
/// the oldest waiting message is re-published, as a probe, with exponential backoff; every failed probe counts
/// as an attempt for all waiting messages (so retry bounds and ttls still end them). The first answer of any
/// kind reopens the lane and the waiting messages go out in order. A thousand messages to a dead node cost
/// one publish per backoff step, not a thousand.
actor Lane {
    /// What a message does when its turn comes.
    enum Turn: Sendable {
        /// Publish now (the lane is open, or this is the probe).
        case publish
        /// A probe for the node failed meanwhile: count an attempt, check bounds, keep waiting.
        case skipped
        /// Before queueing: only check whether the message must stop.
        case check
    }

    /// What the message decided on its turn.
    enum Decision: Sendable {
        case published
        case waiting
        case finished
    }

    private struct Entry {
        var sequence: Int64
        var step: @Sendable (Turn) -> Decision
        var continuation: CheckedContinuation<Decision, Never>
    }

    let node: String
    /// Messages started on this lane and not finished yet; the outbox changes it under its registry lock (up)
    /// and when a message's task ends (down), and retires the lane only when it is zero.
    nonisolated let users = Atomic<Int>(0)
    /// Mirrors `blocked`, so a node heard from can reopen its lane without a hop onto the actor when it is open.
    nonisolated let isBlocked = Atomic<Bool>(false)
    /// First turns go out in acceptance order: the outbox registers each message here, in order, before its
    /// task starts, and a message waits for every earlier registered one to have had its first turn.
    private nonisolated let firstTurns = Mutex(FirstTurns())
    private var queue: [Entry] = []
    private var blocked = false
    private var probe: Int64?
    private var probeFailures = 0
    private var nextProbe: ContinuousClock.Instant?
    private let backoff: Backoff
    private let wakeups = Mailbox<Void>()
    /// Set when the lane's run ends (shutdown): no more turns are granted.
    private var closed = false

    init(node: String, backoff: Backoff) {
        self.node = node
        self.backoff = backoff
    }

    private func setBlocked(_ value: Bool) {
        blocked = value
        isBlocked.store(value, ordering: .relaxed)
    }

    /// Registers a message before its task starts (in acceptance order).
    nonisolated func register(sequence: Int64) {
        firstTurns.withLock { $0.registered.append(sequence) }
    }

    /// Waits for this message's turn; `step` runs on the lane, in sequence order, and publishes when told to.
    /// Returns what `step` decided last: `.published` or `.finished` (never `.waiting`).
    func turn(sequence: Int64, step: @escaping @Sendable (Turn) -> Decision) async -> Decision {
        if closed || Task.isCancelled || step(.check) == .finished {
            _ = firstTurns.withLock { $0.done.insert(sequence) }
            return .finished
        }
        return await withCheckedContinuation { continuation in
            let index = queue.firstIndex { $0.sequence > sequence } ?? queue.endIndex
            queue.insert(Entry(sequence: sequence, step: step, continuation: continuation), at: index)
            pump()
        }
    }

    /// A publish found nobody subscribed for the node.
    func unreachable(sequence: Int64) {
        if probe == sequence || !blocked {
            probe = nil
            probeFailures += 1
            if blocked { skipWaiting() }
            setBlocked(true)
            nextProbe = ContinuousClock.now + backoff.delay(afterAttempt: probeFailures)
            wakeups.deliver(())
        }
    }

    /// ``reachable()``, without a hop onto the lane when it is open anyway (the common case: every ACK).
    nonisolated func markReachable() async {
        if isBlocked.load(ordering: .relaxed) { await reachable() }
    }

    /// The node answered (an ACK, an inProgress, or at least no "no responders").
    func reachable() {
        guard blocked else { return }
        setBlocked(false)
        probe = nil
        probeFailures = 0
        nextProbe = nil
        pump()
    }

    /// Probe at once (an operator asked to retry now).
    func probeNow() {
        guard blocked else { return }
        nextProbe = .now
        wakeups.deliver(())
    }

    /// Whether nothing waits for a turn.
    var isIdle: Bool { queue.isEmpty && probe == nil }

    /// Runs the probe timer until cancelled, or until the lane has been idle for `idleTimeout` and `retire`
    /// (which removes it from the outbox unless a message just arrived for it) agrees. Then releases every
    /// waiting message (as `.finished`, which the message's task reads as "stopping", not as a final state,
    /// since its task is cancelled too).
    func run(idleTimeout: Duration, retire: @Sendable (Lane) -> Bool) async {
        defer {
            closed = true
            let waiting = queue
            queue.removeAll()
            for entry in waiting { entry.continuation.resume(returning: .finished) }
        }
        while !Task.isCancelled {
            if let due = nextProbe, probe == nil {
                let wait = due - .now
                if wait > .zero {
                    _ = await wakeups.receive(timeout: wait)
                } else {
                    nextProbe = nil
                    pump()
                }
            } else if await wakeups.receive(timeout: idleTimeout) == nil, isIdle, retire(self) {
                return
            }
        }
    }

    private func pump() {
        if blocked {
            guard probe == nil, nextProbe == nil, !queue.isEmpty else { return }
            let entry = queue.removeFirst()
            _ = firstTurns.withLock { $0.done.insert(entry.sequence) }
            switch entry.step(.publish) {
            case .published:
                probe = entry.sequence
                entry.continuation.resume(returning: .published)
            case .finished, .waiting:
                entry.continuation.resume(returning: .finished)
                pump()
            }
            return
        }
        while let entry = queue.first {
            let earliest = firstTurns.withLock { $0.earliestPending() }
            // An earlier message has not come for its first turn yet: wait for it, to keep the order.
            if let earliest, earliest < entry.sequence { return }
            queue.removeFirst()
            _ = firstTurns.withLock { $0.done.insert(entry.sequence) }
            let decision = entry.step(.publish)
            entry.continuation.resume(returning: decision == .waiting ? .finished : decision)
        }
    }

    private func skipWaiting() {
        var kept: [Entry] = []
        for entry in queue {
            switch entry.step(.skipped) {
            case .waiting: kept.append(entry)
            case .finished, .published:
                _ = firstTurns.withLock { $0.done.insert(entry.sequence) }
                entry.continuation.resume(returning: .finished)
            }
        }
        queue = kept
    }
}

/// Sequences registered for a first turn, ascending, and those that have had it.
private struct FirstTurns {
    var registered: [Int64] = []
    var head = 0
    var done: Set<Int64> = []

    /// The earliest registered sequence that has not had its first turn.
    mutating func earliestPending() -> Int64? {
        while head < registered.count, done.remove(registered[head]) != nil {
            head += 1
        }
        if head > 1024, head * 2 > registered.count {
            registered.removeFirst(head)
            head = 0
        }
        return head < registered.count ? registered[head] : nil
    }
}
