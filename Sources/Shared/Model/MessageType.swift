/// Whether the receiver acknowledges a message, and whether it is a command or an event.
public enum MessageType: String, Sendable, Codable, CaseIterable {
    /// Runs on the receiver; the ACK carries the result.
    case commandACK = "CommandACK"
    /// Runs on the receiver; no ACK, published once.
    case commandNACK = "CommandNACK"
    /// Handled durably by the receiver, then ACKed.
    case eventACK = "EventACK"
    /// Fire and forget.
    case eventNACK = "EventNACK"

    /// Whether the sender waits for an ACK and retries until it gets one.
    public var wantsACK: Bool { self == .commandACK || self == .eventACK }
}
