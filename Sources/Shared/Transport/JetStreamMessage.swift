import CNATS

/// A message read from a JetStream stream, copied out of libnats: subject, payload, headers and where it sits in
/// the stream.
public struct JetStreamMessage: Sendable {
    public var subject: String
    public var payload: [UInt8]
    /// Headers as published (`Nats-Msg-Id`, `Bosun-Key`, `Bosun-Sig`, …), first value of each.
    public var headers: [String: String]
    /// The message's sequence in its stream: the position a reader resumes after.
    public var streamSequence: UInt64
    /// How many times the server has delivered it to this consumer (more than 1: a redelivery).
    public var deliveries: UInt64
    /// Messages of the consumer still waiting in the stream after this one.
    public var pending: UInt64
    /// When the stream stored it, by the server's clock (nanoseconds since the epoch; 0 when unknown).
    public var storedAtNanoseconds: Int64
    /// Set for a message of a durable consumer, which must be acknowledged.
    let acknowledgement: JetStreamAckHandle?

    /// Copies a libnats message; the caller keeps ownership of `msg`.
    init(copying msg: OpaquePointer, acknowledgement: JetStreamAckHandle?) {
        let plain = NATSMessage(copying: msg)
        subject = plain.subject
        payload = plain.payload
        headers = Self.headers(of: msg)
        var meta: UnsafeMutablePointer<jsMsgMetaData>?
        if natsMsg_GetMetaData(&meta, msg) == NATS_OK, let meta {
            streamSequence = meta.pointee.Sequence.Stream
            deliveries = meta.pointee.NumDelivered
            pending = meta.pointee.NumPending
            storedAtNanoseconds = meta.pointee.Timestamp
            jsMsgMetaData_Destroy(meta)
        } else {
            streamSequence = 0
            deliveries = 0
            pending = 0
            storedAtNanoseconds = 0
        }
        self.acknowledgement = acknowledgement
    }

    private static func headers(of msg: OpaquePointer) -> [String: String] {
        var keys: UnsafeMutablePointer<UnsafePointer<CChar>?>?
        var count: Int32 = 0
        guard natsMsgHeader_Keys(msg, &keys, &count) == NATS_OK, let keys else { return [:] }
        defer { free(keys) }
        var headers: [String: String] = [:]
        for index in 0..<Int(count) {
            guard let key = keys[index] else { continue }
            var value: UnsafePointer<CChar>?
            if natsMsgHeader_Get(msg, key, &value) == NATS_OK, let value {
                headers[String(cString: key)] = String(cString: value)
            }
        }
        return headers
    }
}

/// A received libnats message kept until it is acknowledged (its reply subject is the server's ack subject).
final class JetStreamAckHandle: @unchecked Sendable {
    let pointer: OpaquePointer
    init(_ pointer: OpaquePointer) { self.pointer = pointer }
    deinit { natsMsg_Destroy(pointer) }
}
