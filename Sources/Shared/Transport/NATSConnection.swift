import CNATS
import Dispatch
import Synchronization

/// A connection to NATS through libnats: publish, subscribe, request/reply, connection events.
///
/// libnats reconnects by itself (forever, with jitter) and buffers publishes while it does.
/// Blocking libnats calls (connect, flush, close) run on a dedicated dispatch queue, never on
/// Swift's cooperative thread pool.
public final class NATSConnection: Sendable {
    /// Connection events: connected, disconnected, reconnected, closed, errors. One consumer.
    public let events: AsyncStream<ConnectionEvent>
    public let configuration: NATSConfiguration

    let handle: ConnectionHandle
    private let eventBox: EventBox
    private let replies: ReplyRouter
    private let isClosed = Atomic<Bool>(false)

    private init(handle: ConnectionHandle, eventBox: EventBox, events: AsyncStream<ConnectionEvent>,
        configuration: NATSConfiguration) {
        self.handle = handle
        self.eventBox = eventBox
        self.events = events
        self.configuration = configuration
        self.replies = ReplyRouter(handle: handle)
    }

    deinit {
        if !isClosed.load(ordering: .acquiring) { natsConnection_Close(handle.pointer) }
        natsConnection_Destroy(handle.pointer)
    }

    /// Connects to the first reachable server of `configuration.servers`.
    ///
    /// - Parameters:
    ///   - retryFor: keep trying for this long (nil: forever), waiting `backoff` between rounds.
    ///   - onFailure: called after each failed round with the error and the wait before the next.
    public static func connect(
        _ configuration: NATSConfiguration,
        retryFor: Duration? = .zero,
        backoff: Backoff = Backoff(initial: 0.25, cap: 30),
        onFailure: @Sendable (TransportError, Duration) -> Void = { _, _ in }
    ) async throws -> NATSConnection {
        let deadline = retryFor.map { ContinuousClock.now + $0 }
        var attempt = 0
        while true {
            let failure: TransportError
            do throws(TransportError) {
                return try await connectOnce(configuration)
            } catch {
                failure = error
            }
            guard failure.code == .cannotConnect else { throw failure }
            attempt += 1
            let wait = backoff.delay(afterAttempt: attempt)
            if let deadline, ContinuousClock.now + wait > deadline { throw failure }
            onFailure(failure, wait)
            try await Task.sleep(for: wait)
        }
    }

    private static func connectOnce(_ configuration: NATSConfiguration) async throws(TransportError) -> NATSConnection {
        _ = initializeLibrary
        let (events, continuation) = AsyncStream<ConnectionEvent>.makeStream(bufferingPolicy: .bufferingNewest(1024))
        let box = EventBox(continuation: continuation)
        let closure = Unmanaged.passRetained(box).toOpaque()
        // Raw pointers are not Sendable; the address crosses to the blocking queue as an integer.
        let closureAddress = UInt(bitPattern: closure)
        let result: Result<ConnectionHandle, TransportError> = await runBlocking {
            do throws(TransportError) {
                let options = try NATSOptions(configuration, events: UnsafeMutableRawPointer(bitPattern: closureAddress)!)
                var connection: OpaquePointer?
                let status = natsConnection_Connect(&connection, options.pointer)
                guard status == NATS_OK, let connection else {
                    var error = TransportError.from(
                        status, "cannot connect to NATS at \(configuration.displayServers)", code: .cannotConnect)
                    if let hint = ConnectHint.hint(for: status, configuration) { error.reason += " (\(hint))" }
                    throw error
                }
                return .success(ConnectionHandle(connection))
            } catch {
                return .failure(error)
            }
        }
        switch result {
        case .success(let handle):
            let url = box.url(of: handle.pointer)
            box.connectedURL.withLock { $0 = url }
            continuation.yield(.connected(url: url))
            return NATSConnection(handle: handle, eventBox: box, events: events, configuration: configuration)
        case .failure(let error):
            // No connection was made, so libnats will never call back with this box.
            Unmanaged<EventBox>.fromOpaque(closure).release()
            continuation.finish()
            throw error
        }
    }

    /// The URL of the server this connection is on, or nil while disconnected.
    public var connectedURL: String? { eventBox.connectedURL.withLock { $0 } }

    /// The largest message the server takes (`max_payload` from its INFO; 1 MiB by default).
    public var maxPayload: Int {
        let value = Int(natsConnection_GetMaxPayload(handle.pointer))
        return value > 0 ? value : 1024 * 1024
    }

    /// Whether the connection is up right now.
    public var isConnected: Bool { natsConnection_Status(handle.pointer) == NATS_CONN_STATUS_CONNECTED }

    /// Publishes a message, its signature (if any) in its headers. While reconnecting it is buffered (up to
    /// `reconnectBufferSize`).
    public func publish(
        _ subject: String, payload: [UInt8], replyTo: String? = nil, signature: WireSignature? = nil
    ) throws(TransportError) {
        guard let signature else {
            let status = payload.withUnsafeBytes { bytes in
                if let replyTo {
                    return natsConnection_PublishRequest(
                        handle.pointer, subject, replyTo, bytes.baseAddress, Int32(bytes.count))
                }
                return natsConnection_Publish(handle.pointer, subject, bytes.baseAddress, Int32(bytes.count))
            }
            return try check(status, "publishing to \(subject)")
        }
        var message: OpaquePointer?
        var status = payload.withUnsafeBytes { bytes in
            natsMsg_Create(&message, subject, replyTo, bytes.baseAddress?.assumingMemoryBound(to: CChar.self), Int32(bytes.count))
        }
        guard status == NATS_OK, let message else { return try check(status, "publishing to \(subject)") }
        defer { natsMsg_Destroy(message) }
        status = natsMsgHeader_Set(message, WireSignature.keyHeader, signature.key)
        if status == NATS_OK {
            let header = signature.isMAC ? WireSignature.macHeader : WireSignature.valueHeader
            status = natsMsgHeader_Set(message, header, signature.value)
        }
        if status == NATS_OK, signature.offersMACAnswer {
            status = natsMsgHeader_Set(message, WireSignature.answerHeader, WireSignature.macAnswer)
        }
        if status == NATS_OK, signature.offersBatchAnswer {
            status = natsMsgHeader_Set(message, ReplyBatch.offerHeader, ReplyBatch.offerValue)
        }
        if status == NATS_OK { status = natsConnection_PublishMsg(handle.pointer, message) }
        try check(status, "publishing to \(subject)")
    }

    /// Subscribes to a subject (wildcards allowed), optionally in a queue group.
    public func subscribe(_ subject: String, queue: String? = nil) throws(TransportError) -> NATSSubscription {
        let (stream, continuation) = AsyncStream<NATSMessage>.makeStream()
        let listener = try listen(
            subject, queue: queue, deliver: { continuation.yield($0) }, finished: { continuation.finish() })
        return NATSSubscription(listener: listener, messages: stream)
    }

    func subscribe(_ subject: String, queue: String?, box: MessageBox) throws(TransportError) -> SubscriptionHandle {
        let closure = Unmanaged.passRetained(box).toOpaque()
        var subscription: OpaquePointer?
        let status =
            if let queue {
                natsConnection_QueueSubscribe(&subscription, handle.pointer, subject, queue, natsOnMessage, closure)
            } else {
                natsConnection_Subscribe(&subscription, handle.pointer, subject, natsOnMessage, closure)
            }
        guard status == NATS_OK, let subscription else {
            Unmanaged<MessageBox>.fromOpaque(closure).release()
            throw TransportError.from(status, "subscribing to \(subject)")
        }
        natsSubscription_SetPendingLimits(subscription, -1, -1)
        natsSubscription_SetOnCompleteCB(subscription, natsOnSubscriptionComplete, closure)
        return SubscriptionHandle(subscription)
    }

    /// A new reply subject and the mailbox its answers arrive in; several answers may arrive.
    public func makeInbox() throws(TransportError) -> ReplyInbox {
        try replies.makeInbox(connection: self)
    }

    /// Sends a request and waits for one answer.
    ///
    /// Throws `noResponders` at once when nobody is subscribed to `subject`, `timeout` when no answer
    /// arrives within `timeout`.
    public func request(
        _ subject: String, payload: [UInt8], signature: WireSignature? = nil, timeout: Duration
    ) async throws(TransportError) -> NATSMessage {
        let inbox = try makeInbox()
        defer { inbox.close() }
        try publish(subject, payload: payload, replyTo: inbox.subject, signature: signature)
        guard let answer = await inbox.next(timeout: timeout) else {
            throw TransportError(.timeout, "request to \(subject): no answer within \(timeout.seconds) s")
        }
        if answer.isNoResponders {
            throw TransportError(.noResponders, "request to \(subject): no responders")
        }
        return answer
    }

    /// Waits until the server has processed everything published so far.
    public func flush(timeout: Duration = .seconds(5)) async throws(TransportError) {
        let handle = self.handle
        let status = await runBlocking { natsConnection_FlushTimeout(handle.pointer, Int64(timeout.seconds * 1000)) }
        try check(status, "flushing to NATS")
    }

    /// Flushes what is buffered and closes the connection.
    public func close() async {
        guard !isClosed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        let handle = self.handle
        await runBlocking {
            natsConnection_FlushTimeout(handle.pointer, 2000)
            natsConnection_Close(handle.pointer)
        }
    }
}

private let initializeLibrary: Void = {
    // -1: libnats's default spin count for its locks.
    nats_Open(-1)
}()

private let blockingQueue = DispatchQueue(label: "bosun.nats.blocking", attributes: .concurrent)

/// Runs a blocking libnats call off the cooperative thread pool.
func runBlocking<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        blockingQueue.async { continuation.resume(returning: body()) }
    }
}

extension Duration {
    /// The duration in seconds, as a floating-point number.
    public var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    /// A duration from floating-point seconds.
    public static func seconds(_ value: Double) -> Duration {
        .milliseconds(Int64((value * 1000).rounded()))
    }
}
