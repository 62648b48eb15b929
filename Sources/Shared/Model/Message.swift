import FoundationEssentials

/// One message from one node to another: a command to run or an event to deliver.
///
/// The JSON form is the one operators write into `inmsg.txt`; the field names are Bosun's public interface.
/// Fields a person leaves out are filled in when the message is accepted (see ``accepted(from:defaults:now:)``).
public struct Message: Sendable, Equatable, Encodable {
    /// Time-ordered id (UUIDv7); the idempotency key.
    public var id: String?
    /// The destination node.
    public var toNode: String?
    /// Several destinations, or `["*"]` for every known node: one message per node.
    public var toNodes: [String]?
    /// The sending node; set by the sender.
    public var fromNode: String?
    public var messageType: MessageType?
    public var method: Method
    public var methodArgs: [String]?
    /// Payload: log lines, file content; base64 when `dataEncoding` says so.
    public var data: String?
    public var dataEncoding: String?
    /// Seconds the sender waits for an ACK per attempt.
    public var ackTimeout: Double?
    /// Attempts after the first; 0 means until `ttl`.
    public var retries: Int?
    /// Seconds before the first retry; grows exponentially with jitter.
    public var retryWait: Double?
    /// Seconds the receiver lets the method run.
    public var methodTimeout: Double?
    /// Seconds after `createdAt` when the message is given up.
    public var ttl: Double?
    /// What the receiver does with a later result; by default it goes back to `fromNode`.
    public var replyMethod: Method?
    /// When the message was accepted.
    public var createdAt: Timestamp?
    /// Deliver this message only after the ones accepted before it to the same node have been answered, even
    /// while the node is up (a sender's option: the receiver does nothing with it).
    public var sequential: Bool?
    /// The key whose signature the receiver checked (``WireSignature``), set by the receiver: never part of the
    /// JSON, since the signature travels in the message's headers.
    public var signedBy: String?

    enum CodingKeys: String, CodingKey {
        case id, toNode, toNodes, fromNode, messageType, method, methodArgs, data, dataEncoding, ackTimeout, retries
        case retryWait, methodTimeout, ttl, replyMethod, createdAt, sequential
    }

    public init(
        id: String? = nil, toNode: String? = nil, toNodes: [String]? = nil, fromNode: String? = nil,
        messageType: MessageType? = nil, method: Method, methodArgs: [String]? = nil, data: String? = nil,
        dataEncoding: String? = nil, ackTimeout: Double? = nil, retries: Int? = nil, retryWait: Double? = nil,
        methodTimeout: Double? = nil, ttl: Double? = nil, replyMethod: Method? = nil, createdAt: Timestamp? = nil
    ) {
        self.id = id
        self.toNode = toNode
        self.toNodes = toNodes
        self.fromNode = fromNode
        self.messageType = messageType
        self.method = method
        self.methodArgs = methodArgs
        self.data = data
        self.dataEncoding = dataEncoding
        self.ackTimeout = ackTimeout
        self.retries = retries
        self.retryWait = retryWait
        self.methodTimeout = methodTimeout
        self.ttl = ttl
        self.replyMethod = replyMethod
        self.createdAt = createdAt
    }

    /// The message type in force: the one given, or the method's default.
    public var effectiveType: MessageType { messageType ?? method.defaultMessageType }

    /// The subject this message travels on; nil until it has a single destination.
    public var subject: Subject? {
        toNode.map { Subject(node: $0, method: method, messageType: effectiveType) }
    }

    /// The destinations named by `toNode` and `toNodes`, in order, without repeats.
    public var destinations: [String] {
        var seen = Set<String>()
        return ([toNode].compactMap { $0 } + (toNodes ?? [])).filter { seen.insert($0).inserted }
    }

    /// The message as accepted by `node`: one copy per destination, each with its own id when
    /// there are several, and every default written in, so the receiver and the journal see the whole message.
    /// `*` expands to `knownNodes`.
    public func accepted(
        from node: String, defaults: DeliveryDefaults, knownNodes: [String] = [], now: Timestamp = .now
    ) throws(MessageError) -> [Message] {
        var targets: [String] = []
        for destination in destinations {
            if destination == NodeName.everyNode {
                targets.append(contentsOf: knownNodes)
            } else {
                targets.append(destination)
            }
        }
        var seen = Set<String>()
        targets = targets.filter { seen.insert($0).inserted }
        guard !targets.isEmpty else {
            if destinations.contains(NodeName.everyNode) {
                throw MessageError(.missingField, field: "toNodes", "`*` matched no known node").with(messageID: id)
            }
            throw MessageError(.missingField, field: "toNode", "field `toNode` (or `toNodes`) is required")
                .with(messageID: id)
        }
        let copies = targets.enumerated().map { index, target in
            var copy = self
            copy.id = (index == 0 ? id : nil) ?? MessageID.make(now: now)
            copy.toNode = target
            copy.toNodes = nil
            copy.fromNode = node
            copy.messageType = effectiveType
            copy.methodArgs = methodArgs ?? []
            copy.ackTimeout = ackTimeout ?? defaults.ackTimeout
            copy.retries = retries ?? defaults.retries
            copy.retryWait = retryWait ?? defaults.retryWait
            copy.methodTimeout = methodTimeout ?? defaults.methodTimeout
            copy.ttl = ttl ?? defaults.ttl
            copy.createdAt = createdAt ?? now
            copy.signedBy = nil
            return copy
        }
        // Built in code (`bosun send --data`), a message has not met the parser's limits yet.
        if let count = methodArgs?.count, count > MessageLimits.methodArgs {
            throw MessageError(
                .tooLarge, field: "methodArgs",
                "field `methodArgs` has \(count) entries; the limit is \(MessageLimits.methodArgs)"
            ).with(messageID: id)
        }
        let first = copies[0]
        let seconds = [
            ("ackTimeout", first.ackTimeout), ("retryWait", first.retryWait), ("methodTimeout", first.methodTimeout),
            ("ttl", first.ttl),
        ]
        for case (let field, let value?) in seconds {
            do {
                try Message.checkSeconds(value, field: field, shown: JSONValue.number(value).excerpt)
            } catch {
                throw error.with(messageID: id)
            }
        }
        for copy in copies {
            try Message.checkSize(copy.encoded().count)
        }
        return copies
    }

    /// The stream this message belongs to, for methods whose messages from one sender are finished in order: the
    /// log name (`log`, `errorLog`), the path (`fileAppend`, last argument), the message id (`output`), the copy
    /// (`copyChunk`). Nil for every other method.
    public var streamKey: String? {
        guard Method.streams.contains(method) else { return nil }
        let arguments = methodArgs ?? []
        let stream = (method == .fileAppend ? arguments.last : arguments.first) ?? ""
        return "\(fromNode ?? "")\u{0}\(method.rawValue)\u{0}\(stream)"
    }

    /// When the sender gives the message up; nil until accepted.
    public var expiresAt: Timestamp? {
        guard let createdAt, let ttl else { return nil }
        return createdAt.adding(seconds: ttl)
    }

    /// The JSON form, compact.
    public func encoded() -> [UInt8] {
        // Written by hand (Message+JSON.swift): the same bytes as `JSONLines.encoder`, at a fraction of the cost.
        written()
    }

    /// The JSON form as text.
    public var json: String { String(decoding: encoded(), as: UTF8.self) }

}
