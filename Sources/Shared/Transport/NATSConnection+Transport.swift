import CNATS

extension NATSConnection: Transport {
    public func subscribeReplies(
        _ deliver: @escaping @Sendable (NATSMessage) -> Void
    ) throws(TransportError) -> ReplySubscription {
        let prefix = try newInbox()
        let listener = try listen(prefix + ".>", deliver: deliver, finished: {})
        // The listener ends (unsubscribed and destroyed) with the subscription that holds it.
        return ReplySubscription(prefix: prefix) { withExtendedLifetime(listener) {} }
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
