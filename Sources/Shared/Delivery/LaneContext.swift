import Logging

/// What every lane of an outbox shares: the store it reads from, where it publishes, and its settings.
struct LaneContext: Sendable {
    /// The sending node.
    var node: String
    var store: Store
    var journal: Journal
    var publisher: any Transport
    /// The outbox's reply subscription prefix: a lane's reply subjects are `<prefix>.<lane>.<sequence>`.
    var replyPrefix: String
    /// The last sequence accepted before the outbox started: what waited across the restart is drained in order.
    var resumeThrough: Int64
    /// Messages in flight per destination at most.
    var window: Int
    /// The longest wait between attempts (and probes), in seconds.
    var retryWaitCap: Double
    /// The first wait between probes of a node that is not connected, in seconds.
    var probeWait: Double
    /// How long a lane lives with nothing to carry.
    var idleTimeout: Duration
    var trust: TrustPolicy
    /// Signs what was stored unsigned (accepted before signatures moved to headers).
    var signer: KeyRing?
    var errors: ErrorReporter
    var logger: Logger
    var clock: any DeliveryClock
    /// Tells the outbox's observers of a change to a message.
    var changed: @Sendable (OutboxChange) -> Void
    /// A lane carried a burst of messages to their end and has nothing left to do (``Outbox/burstEnded()``).
    var burstEnded: @Sendable () -> Void = {}
}
