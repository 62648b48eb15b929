import CNATS

extension NATSConnection: Transport {
    public func subscribeReplies(
        _ deliver: @escaping @Sendable (NATSMessage) -> Void
    ) throws(TransportError) -> ReplySubscription {
        let prefix = try Self.newInbox()
        let handle = try subscribe(prefix + ".>", queue: nil, box: MessageBox(deliver: deliver, finish: {}))
        return ReplySubscription(prefix: prefix) {
            natsSubscription_Unsubscribe(handle.pointer)
            natsSubscription_Destroy(handle.pointer)
        }
    }

    /// A new unique inbox subject (`_INBOX.<random>`) to subscribe answers under.
    static func newInbox() throws(TransportError) -> String {
        var inbox: UnsafeMutablePointer<CChar>?
        guard natsInbox_Create(&inbox) == NATS_OK, let inbox else {
            throw TransportError(.failed, "creating a reply inbox")
        }
        defer { natsInbox_Destroy(inbox) }
        return String(cString: inbox)
    }
}
