import FoundationEssentials

/// `<data-dir>/audit.jsonl`: one line for every message this node ran on someone's behalf (every method but
/// the open ones and the replies to its own messages): who asked (node and signing key), what, when, and how
/// it ended. Append-only, like the journal.
public final class AuditLog: Sendable {
    struct Line: Encodable {
        var time: Timestamp
        var id: String
        var fromNode: String?
        var signedBy: String?
        var method: String
        var methodArgs: [String]
        var status: String
        var exitCode: Int32?
        var error: String?
    }

    public let path: String

    public init(path: String) {
        self.path = path
    }

    /// Methods that are not recorded: liveness, status, results or output coming back to this node, and what nodes
    /// forward to the central one (logs, error reports, metrics: data to keep, not actions run for someone; each
    /// is in the journal, and a log line in its file, already).
    static let unrecorded: Set<Method> = TrustPolicy.openMethods.union([.result, .output, .log, .errorLog, .metrics])

    func record(_ message: Message, reply: Reply) {
        guard !Self.unrecorded.contains(message.method) else { return }
        let line = Line(
            time: .now, id: message.id ?? "", fromNode: message.fromNode, signedBy: message.signedBy,
            method: message.method.rawValue, methodArgs: message.methodArgs ?? [], status: reply.status.rawValue,
            exitCode: reply.exitCode, error: reply.error)
        guard var bytes = try? Array(JSONLines.encoder.encode(line)) else { return }
        bytes.append(UInt8(ascii: "\n"))
        try? FileSystem.append(bytes, to: path, mode: 0o600)
    }
}
