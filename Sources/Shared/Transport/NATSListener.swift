import CNATS

/// A subscription whose messages are handed to a closure on libnats' delivery thread for it, one at a time in the
/// order the server sent them: no task hop between the socket and the code that takes a message. The closure may
/// block, which holds back only this subscription (libnats gives each its own delivery thread unless the connection
/// shares one, see ``NATSConfiguration/sharedDelivery``). Unsubscribes when released.
public final class NATSListener: Sendable {
    private let handle: SubscriptionHandle

    init(handle: SubscriptionHandle) {
        self.handle = handle
    }

    deinit {
        natsSubscription_Unsubscribe(handle.pointer)
        natsSubscription_Destroy(handle.pointer)
    }

    /// How many messages libnats holds for this subscription, received and not yet handed over: whether more
    /// follow at once (a closure may gather work while they do). 0 when it cannot tell.
    public var pendingMessages: Int {
        var messages: Int32 = 0
        var bytes: Int32 = 0
        guard natsSubscription_GetPending(handle.pointer, &messages, &bytes) == NATS_OK else { return 0 }
        return Int(messages)
    }

    /// Stops the subscription: the messages already delivered are still handed over, then `finished` is called.
    public func unsubscribe() {
        natsSubscription_Unsubscribe(handle.pointer)
    }
}

extension NATSConnection {
    /// Subscribes to `subject`, handing each message to `deliver` on the subscription's delivery thread; `finished`
    /// is called once, after the last one, when the subscription ends (unsubscribed, or the connection closed).
    public func listen(
        _ subject: String, queue: String? = nil, deliver: @escaping @Sendable (NATSMessage) -> Void,
        finished: @escaping @Sendable () -> Void
    ) throws(TransportError) -> NATSListener {
        NATSListener(handle: try subscribe(subject, queue: queue, box: MessageBox(deliver: deliver, finish: finished)))
    }
}
