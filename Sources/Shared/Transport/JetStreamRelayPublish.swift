import CNATS

extension NATSConnection {
    /// Publishes with headers (a stored message's `Bosun-Key` and `Bosun-Sig`, carried unchanged) and a reply
    /// subject: how a mailbox relay hands a stored message to its node's receiver.
    func publish(
        _ subject: String, payload: [UInt8], replyTo: String?, carrying headers: [String: String]
    ) throws(TransportError) {
        var msg: OpaquePointer?
        let created = payload.withUnsafeBytes {
            natsMsg_Create(&msg, subject, replyTo, $0.baseAddress, Int32($0.count))
        }
        try check(created, "publishing to \(subject)")
        guard let msg else { throw TransportError(.failed, "publishing to \(subject): no message") }
        defer { natsMsg_Destroy(msg) }
        for (key, value) in headers.sorted(by: { $0.key < $1.key }) {
            try check(natsMsgHeader_Set(msg, key, value), "publishing to \(subject): header \(key)")
        }
        try check(natsConnection_PublishMsg(handle.pointer, msg), "publishing to \(subject)")
    }
}
