import Synchronization

/// The carrier of every message to one destination node: at most a window of messages in memory, whatever the
/// backlog, and one task that only keeps its time.
///
/// While the node answers, the lane reads its next window from the store in acceptance order and publishes the
/// stored bytes; ACKs come back through the outbox's one reply subscription, routed here by subject. Once a
/// publish finds no responders (the node is not connected) the lane is blocked: it forgets its window and
/// re-publishes only the oldest waiting message, as a probe, with exponential backoff; each failed probe settles
/// the whole backlog in one write (``Store/settleBlocked(node:markedThrough:reason:now:done:)``). The first
/// answer reopens it. What waited while the node was away (and what waits at the sender's start) is drained as
/// a live operator would have sent it: commands one at a time, each after the previous one's ACK.
///
/// **Who does the work.** An event (an accept, an ACK, a commit's completion) is handled on the thread that brings
/// it, under the lane's lock: an accept publishes from the accepting thread, an ACK is checked and finished on the
/// reply subscription's delivery thread, with no hop to a task in between. A thread that finds the lock taken
/// leaves its event to the holder, which handles whatever is queued before it lets go, so no thread ever waits
/// for a lane. The lane's own task only wakes for a deadline (an ACK due, a retry, a probe) or to retire the lane
/// once it has been idle for a while.
final class Lane: Sendable {
    /// A message just accepted for this node, handed to the lane as stored, and the highest sequence the node had
    /// before it: a lane that knows the outbox up to that one takes it without reading the store.
    struct Handed: Sendable {
        var message: OutgoingMessage
        var previous: Int64
    }

    enum Event: Sendable {
        /// Messages were accepted for this node (those handed, in acceptance order; none: read the store).
        case wake([Handed])
        /// An answer on one of this lane's reply subjects.
        case reply(NATSMessage)
        /// The node was heard from, or this node reconnected: probe now if blocked.
        case probeNow
        /// An operator asked to retry this message now.
        case retryNow(id: String)
        /// Message `id` was cancelled in the store: forget it.
        case cancelled(id: String)
        /// The final states of messages `sequences` are durable.
        case finished(sequences: [Int64])
        /// A blocked lane's settling write landed.
        case settled(Result<(settled: [Store.Settled], markedThrough: Int64), StoreError>)
    }

    let node: String
    /// This lane's token in reply subjects (`<inbox>.<token>.<sequence>`).
    let token: String
    /// Bumped by every accept for this node, so an idle lane knows whether the store may hold more than it saw.
    /// Its top bit marks a retired lane (see ``wake(handing:)``).
    let generation = Atomic<UInt64>(0)
    /// Mirrors the lane's state, for ``Outbox/heard(from:)`` without a hop.
    let isBlocked = Atomic<Bool>(false)
    /// The lane has believed an answer from its node: the key it shares with the node is worked out (or none is
    /// needed). Until then the outbox checks the lane's answers off the reply subscription's thread (``Outbox``).
    let agreed = Atomic<Bool>(false)
    /// Mirrors whether the lane sends its node messages with a MAC (the node takes them, its key is approved): an
    /// accept then stores them unsigned.
    let takesMACs = Atomic<Bool>(false)
    /// The node's key record, read by the outbox for a whole fan-out at once (`.some(nil)`: it has none), taken by
    /// the lane when it reads what to send: it checks the ACKs against it instead of reading its own.
    let primedKeyRecord = Mutex<Store.KeyRecord??>(nil)

    /// Events not handled yet: whoever holds `carrier` takes them.
    private let events = Mailbox<Event>()
    /// The lane's state; nil before it starts and once it has ended. Held only while handling events, never
    /// across a suspension.
    private let state = Mutex<LaneCarrier?>(nil)
    /// Tells the lane's task that a deadline came before the one it waits for.
    private let nudges = Mailbox<Void>()
    /// The deadline the lane's task waits for (milliseconds since the epoch; `.max`: none). Read and written
    /// under `carrier`'s lock.
    private let armed = Atomic<Int64>(.max)

    static let retiredBit: UInt64 = 1 << 63

    init(node: String, token: String) {
        self.node = node
        self.token = token
    }

    /// Messages were accepted for this node. False when the lane has retired: the caller must take the node's
    /// new lane (a lane retires only if nothing was accepted since it saw its store empty).
    @discardableResult
    func wake(handing handed: [Handed] = []) -> Bool {
        let (old, _) = generation.wrappingAdd(1, ordering: .sequentiallyConsistent)
        guard old & Self.retiredBit == 0 else { return false }
        deliver(.wake(handed))
        return true
    }

    /// Retires the lane if nothing was accepted since `seen`; true if it did.
    func retire(ifStill seen: UInt64) -> Bool {
        generation.compareExchange(expected: seen, desired: seen | Self.retiredBit, ordering: .sequentiallyConsistent)
            .exchanged
    }

    /// Hands the lane an event; handled at once on this thread, unless another thread is handling the lane's
    /// events (it takes this one too) or the lane has not started yet (it takes it when it does).
    func deliver(_ event: Event) {
        events.deliver(event)
        handlePending(waiting: false)
    }

    /// Gives the lane its state; what was delivered before is handled now (a lane sends nothing before it is
    /// woken). Does nothing if it has one.
    func start(_ context: LaneContext) {
        withState { carrier in
            guard carrier == nil else { return }
            let started = LaneCarrier(lane: self, context: context)
            started.start()
            carrier = started
        }
    }

    /// Runs `body` under the lane's lock, then handles what was delivered meanwhile: a thread that found the lock
    /// taken left its event to this one.
    private func withState<Result: Sendable>(_ body: (inout LaneCarrier?) -> Result) -> Result {
        let result = state.withLock { body(&$0) }
        if events.hasElements { handlePending(waiting: false) }
        return result
    }

    /// Handles the queued events and does what is due, then sends what the window has room for. `waiting`: wait
    /// for the lock if another thread holds it (the lane's task, whose deadline must not be missed); otherwise
    /// leave the work to that thread.
    private func handlePending(waiting: Bool) {
        repeat {
            let handled = waiting ? state.withLock { handle(&$0) } : (state.withLockIfAvailable { handle(&$0) } ?? false)
            // Not started, or another thread holds the lane: the events wait for it. That thread looks for them
            // once more after letting go, so one queued just as it did is not left behind.
            guard handled else { return }
        } while events.hasElements
    }

    /// Handles what is queued (under the lock); false if the lane has no state.
    private func handle(_ carrier: inout LaneCarrier?) -> Bool {
        guard let carrier else { return false }
        repeat {
            while let event = events.poll() { carrier.handle(event) }
            carrier.pump()
        } while events.hasElements
        // A deadline earlier than the one the task waits for: it must wait for this one instead.
        if let next = carrier.nextDeadline, next.millisecondsSinceEpoch < armed.load(ordering: .relaxed) {
            armed.store(next.millisecondsSinceEpoch, ordering: .relaxed)
            nudges.deliver(())
        }
        return true
    }

    /// Keeps the lane's time until cancelled, or until idle for the context's idle timeout and `retire` agrees
    /// (it removes the lane unless a message was accepted since the generation given).
    func run(_ context: LaneContext, retire: @Sendable (Lane, UInt64) -> Bool) async {
        start(context)
        defer { state.withLock { $0 = nil } }
        while !Task.isCancelled {
            let deadline: Timestamp? = withState { carrier in
                let next = carrier?.nextDeadline
                armed.store(next?.millisecondsSinceEpoch ?? .max, ordering: .relaxed)
                return next
            }
            let until = deadline ?? context.clock.now.adding(seconds: context.idleTimeout.seconds)
            if await nudges.receive(until: until, clock: context.clock) == nil, deadline == nil {
                let retired = withState { carrier -> Bool in
                    guard let current = carrier, current.nextDeadline == nil, let seen = current.idleGeneration,
                        retire(self, seen)
                    else { return false }
                    carrier = nil
                    return true
                }
                if retired { return }
            }
            handlePending(waiting: true)
        }
    }
}
