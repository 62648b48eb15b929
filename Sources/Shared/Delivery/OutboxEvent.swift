/// What an outbox's observers hear (``Outbox/addObserver(_:)``): a message's whole record when it is accepted,
/// cancelled or given a later result, and otherwise the change alone, as the lane carrying it makes it. An
/// observer that keeps records applies changes to its copies (``OutboxRecord/applying(_:)``): nothing is read
/// back from the store to tell it.
public enum OutboxEvent: Sendable, Equatable {
    case record(OutboxRecord)
    case changed(OutboxChange)

    /// The message's id.
    public var id: String {
        switch self {
        case .record(let record): record.id
        case .changed(let change): change.id
        }
    }

    /// The message's state after the event.
    public var state: OutboxState {
        switch self {
        case .record(let record): record.state
        case .changed(let change): change.state
        }
    }
}

/// A change to a message's record, shown to observers as the lane makes it; a final state is shown before its
/// commit (should that commit be lost in a crash, the message is sent again and answered from its receiver's
/// record, so what was shown stays true). Optional fields follow ``Store/updateOutbox(id:state:attempts:nextAttemptAt:lastError:reply:now:)``:
/// `nil` leaves a field, `.some(nil)` clears it.
public struct OutboxChange: Sendable, Equatable {
    public var id: String
    public var state: OutboxState
    public var attempts: Int?
    public var nextAttemptAt: Timestamp??
    public var lastError: String??
    /// The answer that made the state final.
    public var reply: Reply?
    /// When the message was accepted, where the lane knows it.
    public var acceptedAt: Timestamp?
    public var updatedAt: Timestamp

    public init(
        id: String, state: OutboxState, attempts: Int? = nil, nextAttemptAt: Timestamp?? = nil, lastError: String?? = nil,
        reply: Reply? = nil, acceptedAt: Timestamp? = nil, updatedAt: Timestamp
    ) {
        self.id = id
        self.state = state
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
        self.lastError = lastError
        self.reply = reply
        self.acceptedAt = acceptedAt
        self.updatedAt = updatedAt
    }
}

extension OutboxRecord {
    /// The record with `change` applied. A final state stays: a change made before it may be told after it.
    public func applying(_ change: OutboxChange) -> OutboxRecord {
        guard change.id == id, !state.isFinal || change.state.isFinal else { return self }
        var record = self
        record.apply(change.state, attempts: change.attempts, nextAttemptAt: change.nextAttemptAt,
            lastError: change.lastError, now: change.updatedAt)
        if change.state.isFinal {
            record.reply = change.reply
            record.nextAttemptAt = nil
        }
        return record
    }
}
