import CNATS

/// A message received from NATS, copied out of libnats's buffer.
public struct NATSMessage: Sendable {
    public var subject: String
    public var replyTo: String?
    public var payload: [UInt8]
    /// The server's answer to a request that nobody is subscribed to.
    public var isNoResponders: Bool

    public init(subject: String, replyTo: String? = nil, payload: [UInt8], isNoResponders: Bool = false) {
        self.subject = subject
        self.replyTo = replyTo
        self.payload = payload
        self.isNoResponders = isNoResponders
    }

    /// Copies a libnats message; the caller still owns and destroys it.
    init(copying msg: OpaquePointer) {
        subject = String(cString: natsMsg_GetSubject(msg))
        replyTo = natsMsg_GetReply(msg).map { String(cString: $0) }
        let length = Int(natsMsg_GetDataLength(msg))
        if let data = natsMsg_GetData(msg), length > 0 {
            payload = data.withMemoryRebound(to: UInt8.self, capacity: length) {
                Array(UnsafeBufferPointer(start: $0, count: length))
            }
        } else {
            payload = []
        }
        isNoResponders = natsMsg_IsNoResponders(msg)
    }
}

/// Something that happened to the connection.
public enum ConnectionEvent: Sendable, Equatable {
    case connected(url: String)
    case disconnected
    case reconnected(url: String)
    case closed
    case error(String)
}
