import CNATS

/// A node's mailbox read in stream order from a given sequence through an ordered consumer: an ephemeral,
/// single-replica, in-memory consumer the server keeps only while this reader lives, which needs no
/// acknowledgement. The reader keeps its place itself: it resumes after the last sequence it handled (kept in the
/// node's own store). libnats recreates the consumer after the last sequence it delivered when the server holding
/// it is lost, or when it sees a gap.
public final class JetStreamOrderedReader: AsyncSequence, Sendable {
    public typealias Element = JetStreamMessage

    private let handle: SubscriptionHandle
    private let messages: AsyncStream<JetStreamMessage>

    init(handle: SubscriptionHandle, messages: AsyncStream<JetStreamMessage>) {
        self.handle = handle
        self.messages = messages
    }

    deinit {
        // Unsubscribing deletes the ephemeral consumer at once, rather than when its inactivity threshold passes.
        natsSubscription_Unsubscribe(handle.pointer)
        natsSubscription_Destroy(handle.pointer)
    }

    /// Stops reading; the sequence ends after the messages already delivered.
    public func stop() { natsSubscription_Unsubscribe(handle.pointer) }

    public func makeAsyncIterator() -> AsyncStream<JetStreamMessage>.AsyncIterator {
        messages.makeAsyncIterator()
    }
}

extension JetStream {
    /// Reads `subject` (e.g. ``MailboxSubjects/mailbox(node:)``) of `stream` in order, from the message after
    /// stream sequence `after` (0: from the first message kept), then new messages as they are stored.
    public func orderedReader(stream: String, subject: String, after sequence: UInt64) async throws(JetStreamError)
        -> JetStreamOrderedReader
    {
        let (messages, continuation) = AsyncStream<JetStreamMessage>.makeStream()
        let box = MessageBox(
            copy: { JetStreamMessage(copying: $0, acknowledgement: nil) }, deliver: { continuation.yield($0) },
            finish: { continuation.finish() })
        // Raw pointers are not Sendable: the box's address crosses to the blocking queue as an integer.
        let closureAddress = UInt(bitPattern: Unmanaged.passRetained(box).toOpaque())
        let context = self.context
        // Subscribing creates the consumer: a request to the server, which blocks.
        let handle = try await runBlocking { () -> Result<SubscriptionHandle, JetStreamError> in
            let closure = UnsafeMutableRawPointer(bitPattern: closureAddress)!
            var subscription: OpaquePointer?
            var code = jsErrCode(0)
            let status = stream.withCString { streamName in
                var options = jsSubOptions()
                jsSubOptions_Init(&options)
                options.Stream = streamName
                options.Ordered = true
                if sequence > 0 {
                    options.Config.DeliverPolicy = js_DeliverByStartSequence
                    options.Config.OptStartSeq = sequence + 1
                }
                return js_Subscribe(&subscription, context.pointer, subject, natsOnMessage, closure, nil, &options, &code)
            }
            guard status == NATS_OK, let subscription else {
                Unmanaged<MessageBox>.fromOpaque(closure).release()
                return Result { () throws(JetStreamError) in
                    try checkJetStream(status == NATS_OK ? NATS_ERR : status, code, "reading \(subject) of \(stream)")
                    throw JetStreamError(.failed, "reading \(subject) of \(stream): no subscription")
                }
            }
            natsSubscription_SetPendingLimits(subscription, -1, -1)
            natsSubscription_SetOnCompleteCB(subscription, natsOnSubscriptionComplete, closure)
            return .success(SubscriptionHandle(subscription))
        }.get()
        return JetStreamOrderedReader(handle: handle, messages: messages)
    }
}
