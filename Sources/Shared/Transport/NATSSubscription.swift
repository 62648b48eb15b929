import CNATS

/// Messages on a subscription, in the order the server sent them. Unsubscribes when ended or released.
public final class NATSSubscription: AsyncSequence, Sendable {
    public typealias Element = NATSMessage

    private let handle: SubscriptionHandle
    private let messages: AsyncStream<NATSMessage>

    init(handle: SubscriptionHandle, messages: AsyncStream<NATSMessage>) {
        self.handle = handle
        self.messages = messages
    }

    deinit {
        natsSubscription_Unsubscribe(handle.pointer)
        natsSubscription_Destroy(handle.pointer)
    }

    /// Stops the subscription; the sequence ends after the messages already delivered.
    public func unsubscribe() {
        natsSubscription_Unsubscribe(handle.pointer)
    }

    public func makeAsyncIterator() -> AsyncStream<NATSMessage>.AsyncIterator {
        messages.makeAsyncIterator()
    }
}
