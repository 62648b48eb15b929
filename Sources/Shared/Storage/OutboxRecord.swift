/// A message in the sender's outbox, with where it is in its delivery.
public struct OutboxRecord: Sendable, Equatable {
    /// The acceptance order: messages are (re)sent in this order.
    public var sequence: Int64
    public var message: Message
    public var state: OutboxState
    /// Attempts made so far.
    public var attempts: Int
    /// When the next attempt is due; nil when none is planned.
    public var nextAttemptAt: Timestamp?
    /// Why the last attempt did not succeed.
    public var lastError: String?
    /// The receiver's latest answer.
    public var reply: Reply?
    /// When the record last changed.
    public var updatedAt: Timestamp
    /// A result that came after the ACK, as a message of its own (`httpGet`'s body, say).
    public var result: Reply?

    /// What to show as the message's output: the later result if one came, else the ACK.
    public var outcome: Reply? { result ?? reply }

    public init(
        sequence: Int64, message: Message, state: OutboxState, attempts: Int = 0, nextAttemptAt: Timestamp? = nil,
        lastError: String? = nil, reply: Reply? = nil, updatedAt: Timestamp
    ) {
        self.sequence = sequence
        self.message = message
        self.state = state
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
        self.lastError = lastError
        self.reply = reply
        self.updatedAt = updatedAt
    }

    /// The message id; the store only holds messages that have one.
    public var id: String { message.id! }

    /// Applies a change the way ``Store/updateOutbox(id:state:attempts:nextAttemptAt:lastError:reply:now:)``
    /// stores it: `nil` leaves a field, `.some(nil)` clears it.
    mutating func apply(
        _ newState: OutboxState, attempts: Int?, nextAttemptAt: Timestamp??, lastError: String??, now: Timestamp
    ) {
        state = newState
        updatedAt = now
        if let attempts { self.attempts = attempts }
        if let nextAttemptAt { self.nextAttemptAt = nextAttemptAt }
        if let lastError { self.lastError = lastError }
    }
}
