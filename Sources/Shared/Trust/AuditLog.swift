import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// `<data-dir>/audit.jsonl`: one line for every message this node ran on someone's behalf (every method but
/// the open ones and the replies to its own messages): who asked (node and signing key), what, when, and how
/// it ended. Append-only, like the journal.
///
/// The file is opened at the first record and kept open; each line is written by hand (``JSONWriter``) with the
/// keys sorted: `error`, `exitCode`, `fromNode`, `id`, `method`, `methodArgs`, `signedBy`, `status`, `time`.
public final class AuditLog: Sendable {
    public let path: String
    /// The open file, once a record was written (-1 before, or after it could not be opened).
    private let descriptor = Mutex<Int32>(-1)

    public init(path: String) {
        self.path = path
    }

    deinit { descriptor.withLock { if $0 >= 0 { close($0) } } }

    /// Methods that are not recorded: liveness, status, results or output coming back to this node, and what nodes
    /// forward to the central one (logs, error reports, metrics: data to keep, not actions run for someone; each
    /// is in the journal, and a log line in its file, already).
    static let unrecorded: Set<Method> = TrustPolicy.openMethods.union([.result, .output, .log, .errorLog, .metrics])

    func record(_ message: Message, reply: Reply) {
        guard !Self.unrecorded.contains(message.method) else { return }
        var line = JSONWriter()
        line.beginObject()
        line.field("error", reply.error)
        line.field("exitCode", reply.exitCode)
        line.field("fromNode", message.fromNode)
        line.key("id")
        line.string(message.id ?? "")
        line.key("method")
        line.string(message.method.rawValue)
        line.key("methodArgs")
        line.strings(message.methodArgs ?? [])
        line.field("signedBy", message.signedBy)
        line.key("status")
        line.string(reply.status.rawValue)
        line.key("time")
        line.timestamp(.now)
        line.endObject()
        line.endLine()
        let bytes = line.bytes
        descriptor.withLock { fd in
            if fd < 0 { fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600) }
            // An audit line that cannot be written must not stop the answer; the journal has the message too.
            if fd >= 0 { try? FileSystem.writeAll(fd, bytes, path: path) }
        }
    }
}
