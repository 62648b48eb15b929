import CNATS
import Synchronization

/// A libnats connection pointer. libnats connections are thread-safe, so sharing the pointer across tasks is safe.
final class ConnectionHandle: @unchecked Sendable {
    let pointer: OpaquePointer
    init(_ pointer: OpaquePointer) { self.pointer = pointer }
}

/// A libnats subscription pointer. libnats guards subscriptions with their own lock, so sharing is safe.
final class SubscriptionHandle: @unchecked Sendable {
    let pointer: OpaquePointer
    init(_ pointer: OpaquePointer) { self.pointer = pointer }
}

/// State reached from libnats callback threads: passed as the `void *closure`, retained while libnats may call back.
final class EventBox: Sendable {
    let continuation: AsyncStream<ConnectionEvent>.Continuation
    let connectedURL = Mutex<String?>(nil)

    init(continuation: AsyncStream<ConnectionEvent>.Continuation) {
        self.continuation = continuation
    }

    func url(of connection: OpaquePointer?) -> String {
        guard let connection else { return "" }
        var buffer = [CChar](repeating: 0, count: 256)
        guard natsConnection_GetConnectedUrl(connection, &buffer, buffer.count) == NATS_OK else { return "" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// Delivers a subscription's messages, copied out of libnats's buffer, from libnats's delivery thread: core NATS
/// messages or JetStream ones, each copied by its own kind.
final class MessageBox: Sendable {
    /// Copies a libnats message (still owned by the caller) and delivers the copy.
    let receive: @Sendable (OpaquePointer) -> Void
    let finish: @Sendable () -> Void

    init<Message>(
        copy: @escaping @Sendable (OpaquePointer) -> Message, deliver: @escaping @Sendable (Message) -> Void,
        finish: @escaping @Sendable () -> Void
    ) {
        receive = { deliver(copy($0)) }
        self.finish = finish
    }

    convenience init(deliver: @escaping @Sendable (NATSMessage) -> Void, finish: @escaping @Sendable () -> Void) {
        self.init(copy: NATSMessage.init(copying:), deliver: deliver, finish: finish)
    }
}

// libnats calls these on its own threads: they are plain nonisolated functions, never closures from
// main-actor code (those trap on the first call from a foreign thread).

func natsOnMessage(
    _ connection: OpaquePointer?, _ subscription: OpaquePointer?, _ message: OpaquePointer?,
    _ closure: UnsafeMutableRawPointer?
) {
    guard let message, let closure else { return }
    Unmanaged<MessageBox>.fromOpaque(closure).takeUnretainedValue().receive(message)
    natsMsg_Destroy(message)
}

func natsOnSubscriptionComplete(_ closure: UnsafeMutableRawPointer?) {
    guard let closure else { return }
    let box = Unmanaged<MessageBox>.fromOpaque(closure).takeRetainedValue()
    box.finish()
}

func natsOnConnected(_ connection: OpaquePointer?, _ closure: UnsafeMutableRawPointer?) {
    guard let closure else { return }
    let box = Unmanaged<EventBox>.fromOpaque(closure).takeUnretainedValue()
    let url = box.url(of: connection)
    box.connectedURL.withLock { $0 = url }
    box.continuation.yield(.connected(url: url))
}

func natsOnDisconnected(_ connection: OpaquePointer?, _ closure: UnsafeMutableRawPointer?) {
    guard let closure else { return }
    let box = Unmanaged<EventBox>.fromOpaque(closure).takeUnretainedValue()
    box.connectedURL.withLock { $0 = nil }
    box.continuation.yield(.disconnected)
}

func natsOnReconnected(_ connection: OpaquePointer?, _ closure: UnsafeMutableRawPointer?) {
    guard let closure else { return }
    let box = Unmanaged<EventBox>.fromOpaque(closure).takeUnretainedValue()
    let url = box.url(of: connection)
    box.connectedURL.withLock { $0 = url }
    box.continuation.yield(.reconnected(url: url))
}

func natsOnClosed(_ connection: OpaquePointer?, _ closure: UnsafeMutableRawPointer?) {
    guard let closure else { return }
    // The closed callback is the last one libnats makes for a connection: release the box here.
    let box = Unmanaged<EventBox>.fromOpaque(closure).takeRetainedValue()
    box.connectedURL.withLock { $0 = nil }
    box.continuation.yield(.closed)
    box.continuation.finish()
}

func natsOnError(
    _ connection: OpaquePointer?, _ subscription: OpaquePointer?, _ status: natsStatus,
    _ closure: UnsafeMutableRawPointer?
) {
    guard let closure else { return }
    let box = Unmanaged<EventBox>.fromOpaque(closure).takeUnretainedValue()
    var text = String(cString: natsStatus_GetText(status))
    if status == NATS_SLOW_CONSUMER { text = "slow consumer: messages dropped on a subscription" }
    box.continuation.yield(.error(text))
}
