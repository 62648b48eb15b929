import CNATS

/// A failure of a JetStream call: what was attempted, and the server's JetStream error code when it gave one.
public struct JetStreamError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// For now: no JetStream server answered in time, or the cluster is electing a leader. Worth trying again
        /// (a publish under the same message id is stored once).
        case unavailable
        /// The stream or consumer does not exist.
        case notFound
        /// Anything else the server or libnats refused.
        case failed
    }

    public var code: Code
    public var reason: String
    /// The server's JetStream error code (`10058`: stream name in use, …), 0 when none.
    public var apiCode: Int

    public init(_ code: Code, _ reason: String, apiCode: Int = 0) {
        self.code = code
        self.reason = reason
        self.apiCode = apiCode
    }

    public var description: String { reason }

    init(_ error: TransportError) {
        self.init(error.code == .timeout || error.code == .noResponders ? .unavailable : .failed, error.reason)
    }
}

/// Turns a libnats status and JetStream error code into a ``JetStreamError`` naming what was done.
func checkJetStream(_ status: natsStatus, _ code: jsErrCode, _ action: @autoclosure () -> String) throws(
    JetStreamError
) {
    guard status == NATS_OK else {
        var error = JetStreamError(TransportError.from(status, action()))
        error.apiCode = Int(code.rawValue)
        if code.rawValue != 0 { error.reason += " (JetStream error \(code.rawValue))" }
        switch code {
        // No suitable peers: in a cluster just started (or a server lost), the peers are not all current yet.
        case JSClusterNotAvailErr, JSStreamOfflineErr, JSClusterNoPeersErr: error.code = .unavailable
        case JSStreamNotFoundErr, JSConsumerNotFoundErr: error.code = .notFound
        default: if status == NATS_NOT_FOUND { error.code = .notFound }
        }
        throw error
    }
}
