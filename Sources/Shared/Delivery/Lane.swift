import Synchronization

/// The carrier of every message to one destination node: one task, one timer, at most a window of messages in
/// memory, whatever the backlog.
///
/// While the node answers, the lane reads its next window from the store in acceptance order and publishes the
/// stored bytes; ACKs come back through the outbox's one reply subscription, routed here by subject. Once a
/// publish finds no responders (the node is not connected) the lane is blocked: it forgets its window and
/// re-publishes only the oldest waiting message, as a probe, with exponential backoff; each failed probe settles
/// the whole backlog in one write (``Store/settleBlocked(node:markedThrough:reason:now:done:)``). The first
/// answer reopens it. What waited while the node was away (and what waits at the sender's start) is drained as
/// a live operator would have sent it: commands one at a time, each after the previous one's ACK.
final class Lane: Sendable {
    enum Event: Sendable {
        /// Messages were accepted for this node.
        case wake
        /// An answer on one of this lane's reply subjects.
        case reply(NATSMessage)
        /// The node was heard from, or this node reconnected: probe now if blocked.
        case probeNow
        /// An operator asked to retry this message now.
        case retryNow(id: String)
        /// Message `id` was cancelled in the store: forget it.
        case cancelled(id: String)
        /// The final state of message `sequence` is durable.
        case finished(sequence: Int64)
        /// A blocked lane's settling write landed.
        case settled(Result<(settled: [Store.Settled], markedThrough: Int64), StoreError>)
    }

    let node: String
    /// This lane's token in reply subjects (`<inbox>.<token>.<sequence>`).
    let token: String
    let events = Mailbox<Event>()
    /// Bumped by every accept for this node, so an idle lane knows whether the store may hold more than it saw.
    let generation = Atomic<UInt64>(0)
    /// Mirrors the lane's state, for ``Outbox/heard(from:)`` without a hop.
    let isBlocked = Atomic<Bool>(false)
    /// The node's key record, read by the outbox for a whole fan-out at once (`.some(nil)`: it has none), taken by
    /// the lane when it reads what to send: it checks the ACKs against it instead of reading its own.
    let primedKeyRecord = Mutex<Store.KeyRecord??>(nil)

    init(node: String, token: String) {
        self.node = node
        self.token = token
    }

    /// Messages were accepted for this node.
    func wake() {
        generation.add(1, ordering: .sequentiallyConsistent)
        events.deliver(.wake)
    }

    /// Carries messages until cancelled, or until idle for the context's idle timeout and `retire` agrees (it
    /// removes the lane unless a message was accepted since the generation given).
    func run(_ context: LaneContext, retire: @Sendable (Lane, UInt64) -> Bool) async {
        let carrier = LaneCarrier(lane: self, context: context)
        carrier.start()
        while !Task.isCancelled {
            carrier.pump()
            let deadline = carrier.nextDeadline
            // What is already there is taken without arming a timer (a burst of ACKs is one pump).
            if let event = events.poll() {
                carrier.handle(event)
            } else if let event = await events.receive(
                until: deadline ?? context.clock.now.adding(seconds: context.idleTimeout.seconds), clock: context.clock)
            {
                carrier.handle(event)
            } else if deadline == nil, let seen = carrier.idleGeneration, retire(self, seen) {
                return
            }
            while let more = events.poll() { carrier.handle(more) }
        }
    }
}
