import CNATS

extension NATSConnection: Transport {
    public func subscribeReplies(
        _ deliver: @escaping @Sendable (NATSMessage) -> Void
    ) throws(TransportError) -> ReplySubscription {
        var inbox: UnsafeMutablePointer<CChar>?
        guard natsInbox_Create(&inbox) == NATS_OK, let inbox else {
            throw TransportError(.failed, "creating a reply inbox")
        }
        let prefix = String(cString: inbox)
        natsInbox_Destroy(inbox)
        let handle = try subscribe(prefix + ".>", queue: nil, box: MessageBox(deliver: deliver, finish: {}))
        return ReplySubscription(prefix: prefix) {
            natsSubscription_Unsubscribe(handle.pointer)
            natsSubscription_Destroy(handle.pointer)
        }
    }
}
