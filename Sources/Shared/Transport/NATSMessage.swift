import CNATS

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A message received from NATS, copied out of libnats's buffer.
public struct NATSMessage: Sendable {
    public var subject: String
    public var replyTo: String?
    public var payload: [UInt8]
    /// The server's answer to a request that nobody is subscribed to.
    public var isNoResponders: Bool
    /// The signature from the headers, when both of its headers are there (checked by the receiver), or the MAC
    /// (``WireSignature/isMAC``).
    public var signature: WireSignature?
    /// For a batch of ACKs (``ReplyBatch``): its key and MAC, from the headers (the same headers as a message's MAC).
    public var batchAuthentication: ReplyBatch.Authentication? {
        signature.flatMap { $0.isMAC ? ReplyBatch.Authentication(key: $0.key, mac: $0.value) : nil }
    }
    /// Header `Bosun-Ack-Batch: yes`: on a message, its sender takes batches of ACKs; on an ACK, the answering node
    /// takes batches of messages (``MessageBatch``).
    public var speaksBatches = false
    /// Header `Bosun-Mac-Messages: yes` on an ACK: the answering node takes messages with a MAC instead of a
    /// signature (``WireSignature/isMAC``).
    public var takesMACMessages = false
    /// Header `Bosun-Acks: unsigned`: a batch of ACKs (``ReplyBatch``) with no MAC, from a node that signs nothing.
    public var isUnsignedReplyBatch = false
    /// For a message that came in a ``MessageBatch``: its token there. Its `replyTo` is the batch's, the one subject
    /// the receiver may answer on (a NATS user's `allow_responses`), and its answers go there in a ``ReplyBatch``
    /// that names this token.
    public var batchToken: String?

    public init(
        subject: String, replyTo: String? = nil, payload: [UInt8], isNoResponders: Bool = false,
        signature: WireSignature? = nil, batchAuthentication: ReplyBatch.Authentication? = nil
    ) {
        self.subject = subject
        self.replyTo = replyTo
        self.payload = payload
        self.isNoResponders = isNoResponders
        self.signature = signature ?? batchAuthentication.map { WireSignature(key: $0.key, value: $0.mac, isMAC: true) }
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
        speaksBatches = Self.header(msg, ReplyBatch.offerHeader) == ReplyBatch.offerValue
        takesMACMessages = Self.header(msg, WireSignature.macMessagesHeader) == ReplyBatch.offerValue
        isUnsignedReplyBatch = Self.header(msg, ReplyBatch.unsignedHeader) == ReplyBatch.unsignedValue
        guard let key = Self.header(msg, WireSignature.keyHeader) else { return }
        let offersMAC = Self.header(msg, WireSignature.answerHeader) == WireSignature.macAnswer
        if let value = Self.header(msg, WireSignature.valueHeader) {
            signature = WireSignature(key: key, value: value, offersMACAnswer: offersMAC,
                offersBatchAnswer: offersMAC && speaksBatches)
        } else if let mac = Self.header(msg, WireSignature.macHeader) {
            // A batch of ACKs (to a lane, which reads it as ``batchAuthentication``), or a message with a MAC.
            signature = WireSignature(key: key, value: mac, offersMACAnswer: offersMAC,
                offersBatchAnswer: offersMAC && speaksBatches, isMAC: true)
        }
    }

    /// The first value of header `name`, unless it is missing or longer than a key or signature can be.
    private static func header(_ msg: OpaquePointer, _ name: String) -> String? {
        var value: UnsafePointer<CChar>?
        guard natsMsgHeader_Get(msg, name, &value) == NATS_OK, let value,
            strnlen(value, WireSignature.longestHeader + 1) <= WireSignature.longestHeader
        else { return nil }
        return String(cString: value)
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
