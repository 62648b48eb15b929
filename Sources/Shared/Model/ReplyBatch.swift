/// Several ACKs to one sender in one NATS message, authenticated by one MAC (``NodeKey/authenticateBatch(_:subject:for:)``).
///
/// A receiver that records a burst of messages in one commit answers them all at once: one publish, one MAC and,
/// at the sender, one delivery and one check instead of one of each per message. Sent only to a sender that offers
/// to take it (header `Bosun-Ack-Batch: yes` beside `Bosun-Ack: mac`), so an older sender still gets one ACK per
/// message; and only for answers that are small (a command's output goes on its own).
///
/// On the wire: the subject is the reply subject of the batch's first message; headers `Bosun-Key` (the answering
/// key) and `Bosun-Mac` (base64 HMAC-SHA-256 over ``authenticatedBytes(subject:payload:)``); the payload is
/// `{"acks":[…]}`, each reply as a single ACK carries it (without `signedBy`, `signature` or `mac`) and with one
/// more field, `to`: the last token of the reply subject of the message it answers.
public struct ReplyBatch: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        /// The last token of the reply subject of the message answered: which of the sender's messages it is.
        public var to: String
        public var reply: Reply

        public init(to: String, reply: Reply) {
            self.to = to
            self.reply = reply
        }
    }

    /// A batch's authentication as it travels, in its headers: the answering key and the MAC.
    public struct Authentication: Sendable, Equatable {
        /// Header `Bosun-Key`.
        public var key: String
        /// Header `Bosun-Mac`.
        public var mac: String

        public init(key: String, mac: String) {
            self.key = key
            self.mac = mac
        }
    }

    public var entries: [Entry]

    public init(entries: [Entry]) {
        self.entries = entries
    }

    /// The header that offers to take batches, and its value.
    public static let offerHeader = "Bosun-Ack-Batch"
    public static let offerValue = "yes"
    /// The header carrying the batch's MAC.
    public static let macHeader = "Bosun-Mac"
    /// The header, and its value, of a batch with no MAC: from a node that signs nothing (`--insecure-sign-nothing`),
    /// believed only by a node that takes unsigned answers (``TrustPolicy/refusal(ofBatch:from:record:asker:)``).
    public static let unsignedHeader = "Bosun-Acks"
    public static let unsignedValue = "unsigned"
    /// An entry is at most this big: a reply with more output (``Reply/fitsBatch``) goes on its own.
    public static let largestEntry = 2_048

    /// What the MAC covers: a domain tag, the subject, a separator that cannot occur in a subject, the payload.
    public static func authenticatedBytes(subject: String, payload: some Collection<UInt8>) -> [UInt8] {
        WireSignature.taggedBytes("bosun-ack-batch-v1\n", subject: subject, payload: payload)
    }

    /// The JSON form.
    public func encoded() -> [UInt8] {
        var writer = JSONWriter(capacity: 32 + entries.count * 200)
        writer.beginObject()
        writer.key("acks")
        writer.beginArray()
        for entry in entries {
            entry.reply.write(to: &writer, answering: entry.to)
        }
        writer.endArray()
        writer.endObject()
        return writer.bytes
    }

    /// Reads a batch; the error names what is wrong (the field, and which entry).
    public static func decode(_ bytes: some Collection<UInt8>) throws(MessageError) -> ReplyBatch {
        guard case .object(let object) = try JSONValue.parse(bytes) else {
            throw MessageError(.invalidJSON, "a batch of ACKs is a JSON object")
        }
        guard case .array(let values)? = object["acks"] else {
            throw MessageError(.invalidField, field: "acks", "a batch of ACKs needs field `acks`, an array")
        }
        var entries: [Entry] = []
        entries.reserveCapacity(values.count)
        for (index, value) in values.enumerated() {
            guard case .object(let entry) = value, case .string(let to)? = entry["to"] else {
                throw MessageError(.invalidField, field: "to", "entry \(index) of a batch of ACKs needs `to`, a string")
            }
            do throws(MessageError) {
                entries.append(Entry(to: to, reply: try Reply(json: value)))
            } catch {
                throw MessageError(error.code, field: error.field, "entry \(index) of a batch of ACKs: \(error.reason)")
            }
        }
        return ReplyBatch(entries: entries)
    }
}

extension Reply {
    /// Whether the reply is small enough to go in a ``ReplyBatch``: its output and error (the parts without a bound)
    /// are at most half an entry together.
    public var fitsBatch: Bool {
        (stdout?.utf8.count ?? 0) + (stderr?.utf8.count ?? 0) + (error?.utf8.count ?? 0) <= ReplyBatch.largestEntry / 2
    }
}
