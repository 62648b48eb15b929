import CNATS

/// A failure of the NATS transport: what was attempted, against which servers or subject, and why.
public struct TransportError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// No server could be reached.
        case cannotConnect
        /// A request got no answer in time.
        case timeout
        /// Nobody is subscribed to the subject: the destination is not connected.
        case noResponders
        /// The connection is closed.
        case closed
        /// Invalid options (a TLS or credentials file that cannot be read, a bad URL).
        case invalidConfiguration
        /// libnats refused an operation.
        case failed
    }

    public var code: Code
    public var reason: String

    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { reason }

    /// The error for a libnats status, with what was being done.
    static func from(_ status: natsStatus, _ action: String, code: Code = .failed) -> TransportError {
        var detail = String(cString: natsStatus_GetText(status))
        var lastStatus = NATS_OK
        if let last = nats_GetLastError(&lastStatus), lastStatus == status {
            let text = String(cString: last)
            if !text.isEmpty, text != detail { detail += ": " + text }
        }
        switch status {
        case NATS_TIMEOUT: return TransportError(.timeout, "\(action): timed out")
        case NATS_NO_RESPONDERS: return TransportError(.noResponders, "\(action): no responders")
        case NATS_CONNECTION_CLOSED: return TransportError(.closed, "\(action): connection closed")
        default: return TransportError(code, "\(action): \(detail)")
        }
    }
}

/// Runs a libnats call and turns a non-OK status into a ``TransportError``.
func check(_ status: natsStatus, _ action: @autoclosure () -> String, code: TransportError.Code = .failed) throws(
    TransportError
) {
    guard status == NATS_OK else { throw TransportError.from(status, action(), code: code) }
}
