import FoundationEssentials

/// One entry of the central error log (`errors.jsonl` on the central node): what went wrong, where, and with
/// which message.
public struct ErrorRecord: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable {
        /// A message was given up: retries used up or ttl passed.
        case failed
        /// A receiver refused a message (unknown method, malformed, not allowed).
        case rejected
        /// A method failed on the node that ran it.
        case handler
        /// Input (inmsg.txt, inbox/, socket) could not be accepted.
        case input
        /// Anything else a node reports.
        case node
        /// A threshold of the central node's alerts was crossed, or is no longer (`alerts.json`).
        case alert
    }

    public var time: Timestamp
    /// The node where it happened.
    public var node: String
    public var kind: Kind
    /// The message concerned, if any.
    public var messageId: String?
    /// The message's method, if any.
    public var method: String?
    /// The destination of the message concerned, if any.
    public var toNode: String?
    public var error: String

    public init(
        time: Timestamp = .now, node: String, kind: Kind, messageId: String? = nil, method: String? = nil,
        toNode: String? = nil, error: String
    ) {
        self.time = time
        self.node = node
        self.kind = kind
        self.messageId = messageId
        self.method = method
        self.toNode = toNode
        self.error = error
    }

    /// One JSON line (without the newline).
    public func encoded() -> [UInt8] {
        (try? Array(JSONLines.encoder.encode(self))) ?? []
    }

    public static func decode(_ bytes: some Collection<UInt8>) throws -> ErrorRecord {
        try JSONDecoder().decode(ErrorRecord.self, from: Data(bytes))
    }
}

/// The encoder for `.jsonl` files: compact, keys sorted, slashes as is.
public enum JSONLines {
    public static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()
}
