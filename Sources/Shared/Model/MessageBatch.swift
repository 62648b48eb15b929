/// Several messages to one node in one NATS message under one signature: what a lane sends when it has a window's
/// worth of messages for a node that takes them so.
///
/// A signature check costs the receiving node more than the rest of a small message (ed25519, about 75 µs here);
/// a batch costs it one check for all. Each message is carried as stored at accept, byte for byte, with its own
/// subject; the signature covers the batch's subject and every byte of the payload (``WireSignature``), so nothing
/// in it can be changed, dropped or moved to another node. A lane sends batches only to a node that has shown it
/// takes them (the same version of the protocol), and only messages that may go concurrently: what must wait for the
/// answer before it (a drained backlog's commands, `sequential` ones) and retries go one by one.
///
/// On the wire: subject `bosun.<node>.batch`; reply subject that of the first message; headers as a single
/// message's (`Bosun-Key`, `Bosun-Sig`, `Bosun-Ack`, `Bosun-Ack-Batch`); the payload is the line `bosun-batch-v1`,
/// then for each message a line `<subject> <token> <length>` and its `length` bytes. Every answer goes on the batch's
/// reply subject, the one subject a NATS user with `allow_responses` may answer on: in a ``ReplyBatch`` whose entries
/// name their message's token, or, too big for one, alone (the sender finds its message by id).
public struct MessageBatch: Sendable, Equatable {
    public struct Item: Sendable, Equatable {
        public var subject: String
        /// Names the message in the answers (the last token of the reply subject it would have had alone).
        public var token: String
        public var payload: [UInt8]

        public init(subject: String, token: String, payload: [UInt8]) {
            self.subject = subject
            self.token = token
            self.payload = payload
        }
    }

    public var items: [Item]

    public init(items: [Item]) {
        self.items = items
    }

    /// The last token of a batch's subject.
    static let subjectToken = "batch"
    private static let header = Array("bosun-batch-v1\n".utf8)
    /// A batch's payloads add up to at most this; a message bigger than ``largestItem`` goes on its own.
    public static let mostBytes = 64 * 1024
    public static let largestItem = 16 * 1024

    /// The subject of a batch to `node`.
    public static func subject(for node: String) -> String { "\(Wire.subjectPrefix).\(node).\(subjectToken)" }

    /// Whether `subject` is that of a batch to `node`.
    public static func isBatch(_ subject: String, for node: String) -> Bool { subject == self.subject(for: node) }

    public func encoded() -> [UInt8] {
        var bytes = Self.header
        bytes.reserveCapacity(bytes.count + items.reduce(0) { $0 + $1.subject.utf8.count + $1.payload.count + 24 })
        for item in items {
            bytes += "\(item.subject) \(item.token) \(item.payload.count)\n".utf8
            bytes += item.payload
        }
        return bytes
    }

    /// Reads a batch; the error says what is wrong and in which item. Lengths are checked against what is there,
    /// so a hostile batch costs no more memory than its own bytes.
    public static func decode(_ bytes: [UInt8]) throws(MessageError) -> MessageBatch {
        guard bytes.starts(with: header) else {
            throw MessageError(.invalidJSON, "a batch of messages starts with the line `bosun-batch-v1`")
        }
        var items: [Item] = []
        var position = header.count
        while position < bytes.count {
            let index = items.count
            guard let end = bytes[position...].firstIndex(of: UInt8(ascii: "\n")), end - position <= 512 else {
                throw MessageError(.invalidField, "item \(index) of a batch of messages: no line `<subject> <token> <length>`")
            }
            let fields = bytes[position..<end].split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false)
            guard fields.count == 3, !fields[0].isEmpty, !fields[1].isEmpty,
                let length = Int(String(decoding: fields[2], as: UTF8.self)), length >= 0, length <= bytes.count - end - 1
            else {
                throw MessageError(.invalidField,
                    "item \(index) of a batch of messages: `\(String(decoding: bytes[position..<end], as: UTF8.self))` is not `<subject> <token> <length>` with a length that fits")
            }
            let start = end + 1
            items.append(Item(subject: String(decoding: fields[0], as: UTF8.self), token: String(decoding: fields[1], as: UTF8.self),
                payload: Array(bytes[start..<(start + length)])))
            position = start + length
        }
        return MessageBatch(items: items)
    }
}
