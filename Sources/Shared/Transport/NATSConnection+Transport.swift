import CNATS

extension NATSConnection: Transport {
    public func subscribeReplies(
        _ deliver: @escaping @Sendable (NATSMessage) -> Void
    ) throws(TransportError) -> ReplySubscription {
        let prefix = try newInbox()
        let handle = try subscribe(prefix + ".>", queue: nil, box: MessageBox(deliver: deliver, finish: {}))
        return ReplySubscription(prefix: prefix) {
            natsSubscription_Unsubscribe(handle.pointer)
            natsSubscription_Destroy(handle.pointer)
        }
    }

    /// A new unique inbox subject (`<inboxPrefix>.<random>`) to subscribe answers under.
    func newInbox() throws(TransportError) -> String {
        var inbox: UnsafeMutablePointer<CChar>?
        guard natsInbox_Create(&inbox) == NATS_OK, let inbox else {
            throw TransportError(.failed, "creating a reply inbox")
        }
        defer { natsInbox_Destroy(inbox) }
        // libnats makes `_INBOX.<random>` whatever the options say: the random part goes under this node's prefix.
        return configuration.inboxPrefix + String(cString: inbox).dropFirst("_INBOX".count)
    }
}
