import CNATS

/// A node's mailbox read through a durable pull consumer of its own (`mbox_<node>`): the server keeps the node's
/// place (replicated like the stream) and redelivers what is not acknowledged within `ackWait`. The simpler
/// model, measured against ``JetStreamOrderedReader`` in docs/benchmarks/jetstream.md: every node costs the
/// servers a consumer (in a cluster, a Raft group) whether it is connected or not.
public final class JetStreamDurableReader: Sendable {
    public let consumer: String
    private let handle: SubscriptionHandle

    init(consumer: String, handle: SubscriptionHandle) {
        self.consumer = consumer
        self.handle = handle
    }

    deinit {
        // Destroy only: unsubscribing would delete the durable consumer (and the node's place) on the server.
        natsSubscription_Destroy(handle.pointer)
    }

    /// Up to `batch` messages, waiting up to `wait` for the first; none when nothing came in time.
    public func fetch(batch: Int, wait: Duration) async throws(JetStreamError) -> [JetStreamMessage] {
        let handle = self.handle
        let consumer = self.consumer
        return try await runBlocking { () -> Result<[JetStreamMessage], JetStreamError> in
            var list = natsMsgList()
            var code = jsErrCode(0)
            let status = natsSubscription_Fetch(&list, handle.pointer, Int32(batch), Int64(wait.seconds * 1000), &code)
            if status == NATS_TIMEOUT { return .success([]) }
            guard status == NATS_OK else {
                return Result { () throws(JetStreamError) in
                    try checkJetStream(status, code, "fetching from consumer \(consumer)")
                    return []
                }
            }
            var messages: [JetStreamMessage] = []
            for index in 0..<Int(list.Count) {
                guard let msg = list.Msgs[index] else { continue }
                // The message now belongs to its ack handle; the list must not destroy it.
                list.Msgs[index] = nil
                messages.append(JetStreamMessage(copying: msg, acknowledgement: JetStreamAckHandle(msg)))
            }
            natsMsgList_Destroy(&list)
            return .success(messages)
        }.get()
    }
}

extension JetStream {
    /// Creates (or keeps) the durable consumer of `node`'s mailbox subjects in `stream` and binds a reader to it.
    ///
    /// - Parameters:
    ///   - ackWait: how long the server waits for an acknowledgement before delivering a message again.
    ///   - maxAckPending: messages delivered and not yet acknowledged, at most (the node's window).
    public func durableReader(
        stream: String, node: String, ackWait: Duration = .seconds(60), maxAckPending: Int = 256
    ) async throws(JetStreamError) -> JetStreamDurableReader {
        let context = self.context
        let consumer = "mbox_" + node
        let subject = MailboxSubjects.mailbox(node: node)
        return try await retrying(for: .seconds(30)) { () throws(JetStreamError) in
            try await runBlocking { () -> Result<JetStreamDurableReader, JetStreamError> in
                Result { () throws(JetStreamError) in
                    try withCStrings([stream, consumer, subject]) {
                        (names: inout [UnsafePointer<CChar>?]) throws(JetStreamError) -> JetStreamDurableReader in
                        var config = jsConsumerConfig()
                        jsConsumerConfig_Init(&config)
                        config.Durable = names[1]
                        config.FilterSubject = names[2]
                        config.AckPolicy = js_AckExplicit
                        config.AckWait = Int64(ackWait.seconds * 1e9)
                        config.MaxAckPending = Int64(maxAckPending)
                        config.DeliverPolicy = js_DeliverAll
                        var info: UnsafeMutablePointer<jsConsumerInfo>?
                        var code = jsErrCode(0)
                        let added = js_AddConsumer(&info, context.pointer, names[0], &config, nil, &code)
                        if let info { jsConsumerInfo_Destroy(info) }
                        try checkJetStream(added, code, "creating consumer \(consumer) on \(stream)")
                        var options = jsSubOptions()
                        jsSubOptions_Init(&options)
                        options.Stream = names[0]
                        options.Consumer = names[1]
                        var subscription: OpaquePointer?
                        let bound = js_PullSubscribe(
                            &subscription, context.pointer, names[2], names[1], nil, &options, &code)
                        try checkJetStream(bound, code, "reading consumer \(consumer) of \(stream)")
                        guard let subscription else {
                            throw JetStreamError(.failed, "reading consumer \(consumer): no subscription")
                        }
                        return JetStreamDurableReader(consumer: consumer, handle: SubscriptionHandle(subscription))
                    }
                }
            }.get()
        }
    }

    /// Acknowledges a message read from a durable consumer, and waits for the server to confirm it. A message
    /// from an ordered reader needs none: the reader keeps its place itself.
    public func acknowledge(_ message: JetStreamMessage) async throws(JetStreamError) {
        guard let acknowledgement = message.acknowledgement else { return }
        let sequence = message.streamSequence
        try await runBlocking { () -> Result<Void, JetStreamError> in
            var code = jsErrCode(0)
            let status = natsMsg_AckSync(acknowledgement.pointer, nil, &code)
            return Result { () throws(JetStreamError) in try checkJetStream(status, code, "acknowledging \(sequence)") }
        }.get()
    }

    /// Deletes a consumer (a node's place in its mailbox, for the durable design).
    public func deleteConsumer(stream: String, name: String) async throws(JetStreamError) {
        let context = self.context
        try await runBlocking { () -> Result<Void, JetStreamError> in
            var code = jsErrCode(0)
            let status = js_DeleteConsumer(context.pointer, stream, name, nil, &code)
            return Result { () throws(JetStreamError) in try checkJetStream(status, code, "deleting consumer \(name)") }
        }.get()
    }
}
