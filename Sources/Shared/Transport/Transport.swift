/// What the delivery engine needs of NATS: publishing, and one subscription for the answers it waits for. A NATS
/// connection, or an in-memory stand-in in unit tests of delivery logic.
public protocol Transport: Sendable {
    /// Publishes `payload` on `subject`, answers (if any) to `replyTo`, with its signature in the headers.
    /// Buffered while reconnecting.
    func publish(_ subject: String, payload: [UInt8], replyTo: String?, signature: WireSignature?) throws(TransportError)
    /// Subscribes to a new inbox's whole subtree; `deliver` gets every answer on it, from any thread.
    func subscribeReplies(_ deliver: @escaping @Sendable (NATSMessage) -> Void) throws(TransportError) -> ReplySubscription
}

/// One subscription for every answer a node's outbox waits for: `<prefix>.>`, answers routed by the tokens of their
/// subject, with no task, timer or subscription per waiting message. Ends when released.
public final class ReplySubscription: Sendable {
    /// The subject prefix; a `replyTo` is `<prefix>.<more tokens>`.
    public let prefix: String
    private let end: @Sendable () -> Void

    public init(prefix: String, end: @escaping @Sendable () -> Void) {
        self.prefix = prefix
        self.end = end
    }

    deinit { end() }
}
