/// Messages on a subscription, in the order the server sent them. Unsubscribes when ended or released.
public final class NATSSubscription: AsyncSequence, Sendable {
    public typealias Element = NATSMessage

    private let listener: NATSListener
    private let messages: AsyncStream<NATSMessage>

    init(listener: NATSListener, messages: AsyncStream<NATSMessage>) {
        self.listener = listener
        self.messages = messages
    }

    /// Stops the subscription; the sequence ends after the messages already delivered.
    public func unsubscribe() {
        listener.unsubscribe()
    }

    public func makeAsyncIterator() -> AsyncStream<NATSMessage>.AsyncIterator {
        messages.makeAsyncIterator()
    }
}
