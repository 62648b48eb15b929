/// What a lane needs to carry one stored message: its bytes as accepted (signed), where they go, and the bounds
/// of its delivery. Read a window at a time; nothing of it stays in memory once the message is answered.
struct OutgoingMessage: Sendable, Equatable {
    var sequence: Int64
    var id: String
    var method: Method
    var subject: String
    /// The message as accepted and signed: published as it is, never encoded again.
    var payload: [UInt8]
    var wantsACK: Bool
    /// Seconds to wait for an ACK per attempt.
    var ackTimeout: Double
    /// Attempts after the first; 0: until the ttl.
    var retries: Int
    /// Seconds before the first retry; doubles per attempt up to the lane's cap.
    var retryWait: Double
    var expiresAt: Timestamp?
    /// Delivered only after every earlier message to its node was answered.
    var sequential: Bool
    var attempts: Int
    /// When it was accepted.
    var acceptedAt: Timestamp
    /// The signature made at accept, published in the headers; nil for a message stored before signatures moved
    /// there (the lane signs it when it sends it).
    var signature: WireSignature?
    /// The key that authenticates it: the one that signed it, or, for a message stored unsigned (to a node that
    /// takes MACs), the one to sign it or make its MAC with when it is sent (a key rotation may come between).
    /// Nil for a message stored before keys were kept with it, or after this node rotated its own: the current key.
    var signer: String?
}

extension OutgoingMessage {
    /// `message` as ``Store/acceptEncoded(_:now:sign:)`` stores it (`row`: its subject, bytes and signature), the
    /// same as a lane would read it back: times to the millisecond, defaults where the message leaves them out.
    init(sequence: Int64, message: Message, row: AcceptedRow, signer: String?, acceptedAt: Timestamp) {
        self.init(
            sequence: sequence, id: message.id ?? "", method: message.method, subject: row.subject, payload: row.payload,
            wantsACK: row.wantsACK, ackTimeout: message.ackTimeout ?? DeliveryDefaults.standard.ackTimeout,
            retries: message.retries ?? 0, retryWait: message.retryWait ?? DeliveryDefaults.standard.retryWait,
            expiresAt: message.expiresAt.map { Timestamp(millisecondsSinceEpoch: $0.millisecondsSinceEpoch) },
            sequential: message.sequential ?? false, attempts: 0,
            acceptedAt: Timestamp(millisecondsSinceEpoch: acceptedAt.millisecondsSinceEpoch),
            signature: row.signature,
            signer: row.signature?.key ?? signer)
    }
}
