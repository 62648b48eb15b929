import FoundationEssentials

/// The answer to an ACK-type message (the ACK), carrying a command's result.
public struct Reply: Sendable, Equatable, Codable {
    public enum Status: String, Sendable, Codable {
        /// The method ran (a command may still have exited non-zero: see `exitCode`).
        case ok
        /// The method could not run or failed; `error` says why.
        case error
        /// The receiver refused the message (unknown method, bad message, not allowed); retrying will not help.
        case rejected
        /// The receiver is still running the message; the sender keeps waiting without using up an attempt.
        case inProgress
        /// The receiver was stopped while running the message; it is not run again, since its effects may be half done.
        case interrupted

        /// Whether the sender stops waiting on this answer.
        public var isFinal: Bool { self != .inProgress }
    }

    /// The id of the message answered.
    public var id: String
    /// The node that answered.
    public var fromNode: String
    public var status: Status
    public var exitCode: Int32?
    public var stdout: String?
    public var stderr: String?
    /// Set when output was cut at the capture limit.
    public var truncated: Bool?
    public var startedAt: Timestamp?
    public var finishedAt: Timestamp?
    /// The reason, for `error`, `rejected` and `interrupted`.
    public var error: String?
    /// The answering node's public key (base64) and its signature over ``signedBytes``, or instead its MAC under
    /// the key it shares with the asking node (``NodeKey/authenticate(_:for:)``).
    public var signedBy: String?
    public var signature: String?
    public var mac: String?

    public init(
        id: String, fromNode: String, status: Status, exitCode: Int32? = nil, stdout: String? = nil,
        stderr: String? = nil, truncated: Bool? = nil, startedAt: Timestamp? = nil, finishedAt: Timestamp? = nil,
        error: String? = nil
    ) {
        self.id = id
        self.fromNode = fromNode
        self.status = status
        self.exitCode = exitCode
        self.stdout = stdout
        self.stderr = stderr
        self.truncated = truncated
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.error = error
    }

    /// The JSON form, compact (the same bytes `JSONLines.encoder` writes).
    public func encoded() -> [UInt8] {
        var writer = JSONWriter(capacity: 160 + (stdout?.utf8.count ?? 0) + (stderr?.utf8.count ?? 0))
        write(to: &writer)
        return writer.bytes
    }

    /// Writes the reply as one JSON object, keys sorted; in a ``ReplyBatch``, with the token of the message's reply
    /// subject as `to`.
    func write(to writer: inout JSONWriter, answering token: String? = nil) {
        writer.beginObject()
        writer.field("error", error)
        writer.field("exitCode", exitCode)
        writer.field("finishedAt", finishedAt)
        writer.key("fromNode")
        writer.string(fromNode)
        writer.key("id")
        writer.string(id)
        writer.field("mac", mac)
        writer.field("signature", signature)
        writer.field("signedBy", signedBy)
        writer.field("startedAt", startedAt)
        writer.key("status")
        writer.string(status.rawValue)
        writer.field("stderr", stderr)
        writer.field("stdout", stdout)
        writer.field("to", token)
        writer.field("truncated", truncated)
        writer.endObject()
    }

    /// Reads an ACK from its JSON form in one pass (``JSONParser``); keys it does not know are ignored, so that an
    /// older node still reads the replies of a newer one.
    public static func decode(_ bytes: some Collection<UInt8>) throws(MessageError) -> Reply {
        do throws(MessageError) {
            return try Reply(json: JSONValue.parse(bytes))
        } catch {
            throw MessageError(error.code, field: error.field, "reply is not a valid ACK: \(error.reason)")
        }
    }

    /// Builds a reply from a parsed JSON object, checking the type of every field it knows.
    init(json value: JSONValue) throws(MessageError) {
        guard case .object(let object) = value else {
            throw MessageError(.invalidJSON, "expected an object, got \(value.typeName)")
        }
        let fields = FieldReader(object: object)
        let statusText = try fields.string("status", required: true)!
        guard let status = Status(rawValue: statusText) else {
            throw MessageError(.invalidField, field: "status", "field `status` is not a known status: \"\(statusText)\"")
        }
        self.init(
            id: try fields.string("id", required: true)!, fromNode: try fields.string("fromNode", required: true)!,
            status: status, exitCode: try fields.exitCode("exitCode"), stdout: try fields.string("stdout"),
            stderr: try fields.string("stderr"), truncated: try fields.bool("truncated"),
            startedAt: try fields.time("startedAt"), finishedAt: try fields.time("finishedAt"),
            error: try fields.string("error"))
        signedBy = try fields.string("signedBy")
        signature = try fields.string("signature")
        mac = try fields.string("mac")
    }
}

extension FieldReader {
    /// A process's exit status: a whole number that fits an `Int32`.
    fileprivate func exitCode(_ key: String) throws(MessageError) -> Int32? {
        guard let value = object[key], value != .null else { return nil }
        guard case .number(let number) = value, number.rounded() == number, let code = Int32(exactly: number) else {
            throw MessageError(.invalidField, field: key, "field `\(key)` must be a whole number, got \(value.excerpt)")
        }
        return code
    }

    fileprivate func time(_ key: String) throws(MessageError) -> Timestamp? {
        try string(key).map { (text: String) throws(MessageError) in
            guard let time = Timestamp(rfc3339: text) else {
                throw MessageError(.invalidField, field: key, "field `\(key)` must be an RFC 3339 time, got \"\(text)\"")
            }
            return time
        }
    }
}
