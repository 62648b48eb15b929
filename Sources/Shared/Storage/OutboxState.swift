/// Where an accepted message is in its life at the sender.
public enum OutboxState: String, Sendable, Codable, CaseIterable {
    /// Accepted and waiting for its next attempt.
    case queued
    /// An attempt is on its way; the sender waits for the ACK.
    case sending
    /// The receiver said it is running the message.
    case inProgress
    /// The receiver answered with a final result.
    case acked
    /// Given up: the receiver failed it, or the attempts ran out.
    case failed
    /// Given up: the message outlived its ttl.
    case expired
    /// The receiver refused the message; retrying will not help.
    case rejected
    /// Withdrawn by the operator.
    case cancelled
    /// Published once; its type (CommandNACK, EventNACK) asks for no ACK.
    case sent

    /// The states of a message the sender still carries, in the order they come.
    public static let unfinished = allCases.filter { !$0.isFinal }

    /// Whether the sender is done with the message; final records are only kept for history and pruned.
    public var isFinal: Bool {
        switch self {
        case .queued, .sending, .inProgress: return false
        case .acked, .failed, .expired, .rejected, .cancelled, .sent: return true
        }
    }
}
