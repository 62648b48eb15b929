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
    /// The answering node's public key (base64) and its signature over ``signedBytes``.
    public var signedBy: String?
    public var signature: String?

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

    public func encoded() -> [UInt8] {
        (try? Array(JSONLines.encoder.encode(self))) ?? []
    }

    public static func decode(_ bytes: some Collection<UInt8>) throws(MessageError) -> Reply {
        do {
            return try JSONDecoder().decode(Reply.self, from: Data(bytes))
        } catch {
            throw MessageError(.invalidJSON, "reply is not a valid ACK: \(error)")
        }
    }

}
