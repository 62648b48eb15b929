import Synchronization

/// The mutable part of one message's delivery, shared between its task and its lane's turns.
final class DeliveryState: Sendable {
    struct Values {
        var attempts: Int
        var cancelled = false
        var finalReason: (state: OutboxState, reason: String)?
    }

    let values: Mutex<Values>
    /// The record as the store has it (or will, once the pending group commit lands): what observers are shown.
    let record: Mutex<OutboxRecord>
    /// Wakes the message early from a retry wait (retry now, cancel).
    let wake = Mailbox<Void>()

    init(record: OutboxRecord) {
        values = Mutex(Values(attempts: record.attempts))
        self.record = Mutex(record)
    }

    var attempts: Int { values.withLock { $0.attempts } }

    /// Why the message must stop before another attempt, if it must: cancelled, retries used up, ttl passed.
    static func stopReason(_ values: Values, message: Message, now: Timestamp) -> (OutboxState, String)? {
        if values.cancelled { return (.cancelled, "cancelled by the operator") }
        if let expiresAt = message.expiresAt, now >= expiresAt {
            return (.expired, "ttl of \(Int(message.ttl ?? 0)) s passed after \(values.attempts) attempts")
        }
        let retries = message.retries ?? 0
        if retries > 0, values.attempts > retries {
            return (.failed, "no ACK after \(values.attempts) attempts (retries: \(retries))")
        }
        return nil
    }
}
