import CNATS

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The stream's acknowledgement of a publish: from here on the message is stored (on `replicas` servers).
public struct JetStreamPublishAck: Sendable, Equatable {
    public var stream: String
    public var sequence: UInt64
    /// The stream had this message id already (within its duplicate window) and kept the first copy.
    public var duplicate: Bool
}

extension JetStream {
    /// Publishes `payload` to `subject` with `Nats-Msg-Id: messageID` and `headers` (e.g. `Bosun-Key`,
    /// `Bosun-Sig`, carried unchanged), and waits until the stream has stored it.
    ///
    /// A publish that gets no answer (a server lost, a leader being elected) is sent again under the same id for
    /// up to `retryFor`: the stream's duplicate window makes the copies one message.
    @discardableResult
    public func publish(
        _ subject: String, payload: [UInt8], messageID: String, headers: [String: String] = [:],
        retryFor: Duration = .seconds(30)
    ) async throws(JetStreamError) -> JetStreamPublishAck {
        try await retrying(for: retryFor) { () throws(JetStreamError) in
            let context = self.context
            let wait = Int64(apiTimeout.seconds * 1000)
            return try await runBlocking { () -> Result<JetStreamPublishAck, JetStreamError> in
                Result { () throws(JetStreamError) in
                    try publishOnce(context, subject, payload, messageID, headers, wait: wait)
                }
            }.get()
        }
    }
}

/// One blocking publish: the message with its headers, waiting up to `wait` ms for the stream's answer.
private func publishOnce(
    _ context: JetStreamContextHandle, _ subject: String, _ payload: [UInt8], _ messageID: String,
    _ headers: [String: String], wait: Int64
) throws(JetStreamError) -> JetStreamPublishAck {
    var msg: OpaquePointer?
    let created = payload.withUnsafeBytes { natsMsg_Create(&msg, subject, nil, $0.baseAddress, Int32($0.count)) }
    try checkJetStream(created, jsErrCode(0), "publishing to \(subject)")
    guard let msg else { throw JetStreamError(.failed, "publishing to \(subject): no message") }
    defer { natsMsg_Destroy(msg) }
    for (key, value) in headers.sorted(by: { $0.key < $1.key }) {
        try checkJetStream(natsMsgHeader_Set(msg, key, value), jsErrCode(0), "publishing to \(subject): header \(key)")
    }
    let id = strdup(messageID)
    defer { free(id) }
    var options = jsPubOptions()
    jsPubOptions_Init(&options)
    options.MsgId = UnsafePointer(id)
    options.MaxWait = wait
    var ack: UnsafeMutablePointer<jsPubAck>?
    var code = jsErrCode(0)
    let status = js_PublishMsg(&ack, context.pointer, msg, &options, &code)
    defer { if let ack { jsPubAck_Destroy(ack) } }
    try checkJetStream(status, code, "publishing message \(messageID) to \(subject)")
    guard let ack else { throw JetStreamError(.failed, "publishing message \(messageID): no acknowledgement") }
    return JetStreamPublishAck(
        stream: String(cString: ack.pointee.Stream), sequence: ack.pointee.Sequence, duplicate: ack.pointee.Duplicate)
}
