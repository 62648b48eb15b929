import Dispatch
import FoundationEssentials
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The append-only history of every message a node sends or receives: `<data-dir>/journal.jsonl`.
///
/// One JSON object per line, written as the message moves. The `accepted` line carries the whole message, so
/// a message can be sent again from the journal alone. When the file passes `maxBytes` it is renamed to
/// `journal.jsonl.1` (older ones shift up, the oldest beyond `keep` is removed): never rewritten in place.
///
/// Appends are buffered and written by one writer on a queue of its own, many lines a write: under load, the lines
/// of hundreds of messages cost one system call instead of one each. A line reaches the file within 10 ms of its
/// append (``flush()`` writes at once), in append order.
public final class Journal: Sendable {
    /// One line of the journal.
    public struct Entry: Sendable, Equatable, Codable {
        public enum Event: String, Sendable, Codable {
            case accepted, attempt, inProgress, acked, failed, expired, rejected, cancelled, published
            case received, answered
            /// A result or output for one of this node's messages came back later (``Method/result``).
            case result, output
        }

        public var time: Timestamp
        public var event: Event
        public var id: String
        public var node: String?
        public var method: String?
        public var attempt: Int?
        public var message: Message?
        public var reply: Reply?
        public var reason: String?
        /// `message` as the outbox stored it (its JSON, encoded once at accept): written as it is, not encoded again.
        /// Not a field of its own.
        var encodedMessage: [UInt8]?

        private enum CodingKeys: String, CodingKey {
            case time, event, id, node, method, attempt, message, reply, reason
        }

        /// Equal as lines: the same fields (`encodedMessage` is `message`'s JSON, not a field).
        public static func == (lhs: Entry, rhs: Entry) -> Bool {
            (lhs.time, lhs.event, lhs.id, lhs.node, lhs.method) == (rhs.time, rhs.event, rhs.id, rhs.node, rhs.method)
                && (lhs.attempt, lhs.reason) == (rhs.attempt, rhs.reason)
                && lhs.message == rhs.message && lhs.reply == rhs.reply
        }

        public init(
            time: Timestamp = .now, event: Event, id: String, node: String? = nil, method: String? = nil,
            attempt: Int? = nil, message: Message? = nil, reply: Reply? = nil, reason: String? = nil
        ) {
            self.time = time
            self.event = event
            self.id = id
            self.node = node
            self.method = method
            self.attempt = attempt
            self.message = message
            self.reply = reply
            self.reason = reason
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            time = try container.decode(Timestamp.self, forKey: .time)
            event = try container.decode(Event.self, forKey: .event)
            id = try container.decode(String.self, forKey: .id)
            node = try container.decodeIfPresent(String.self, forKey: .node)
            method = try container.decodeIfPresent(String.self, forKey: .method)
            attempt = try container.decodeIfPresent(Int.self, forKey: .attempt)
            reply = try container.decodeIfPresent(Reply.self, forKey: .reply)
            reason = try container.decodeIfPresent(String.self, forKey: .reason)
            message = try container.decodeIfPresent(JSONValue.self, forKey: .message).map { try Message(json: $0) }
        }
    }

    public let path: String
    private let maxBytes: Int
    private let keep: Int
    private let file: Mutex<File>

    /// The open journal file and its size, so that no append needs to ask the file system for it, and the lines
    /// not written yet.
    private struct File {
        var descriptor: Int32
        var size: Int
        var pending: [UInt8] = []
        var flushScheduled = false
    }

    /// Past this much unwritten, an append writes at once instead of waiting for the writer (a disk that stalls
    /// must not grow memory).
    private static let pendingLimit = 4 * 1024 * 1024
    private let writer = DispatchQueue(label: "bosun.journal")
    /// How long a line may wait for others to share its write.
    private static let coalescing = DispatchTimeInterval.milliseconds(10)

    /// Opens (creating) the journal at `path`.
    public init(path: String, maxBytes: Int = 64 * 1024 * 1024, keep: Int = 5) throws(FileSystem.Failure) {
        self.path = path
        self.maxBytes = maxBytes
        self.keep = keep
        let fd = Self.open(path)
        guard fd >= 0 else { throw FileSystem.Failure(path: path, operation: "opening journal", errno: errno) }
        file = Mutex(File(descriptor: fd, size: Self.size(of: fd)))
    }

    deinit {
        file.withLock { file in
            write(&file)
            _ = close(file.descriptor)
        }
    }

    /// Appends entries, each as one line; written soon, in order, with whatever else was appended meanwhile.
    public func append(_ entries: [Entry]) {
        guard !entries.isEmpty else { return }
        // Built outside the lock: appenders on other threads wait only for the buffer.
        var lines = JSONWriter(capacity: 160 * entries.count)
        for entry in entries {
            entry.write(to: &lines)
            lines.endLine()
        }
        let bytes = lines.bytes
        let schedule = file.withLock { file -> Bool in
            file.pending += bytes
            if file.pending.count >= Self.pendingLimit { write(&file) }
            guard !file.flushScheduled, !file.pending.isEmpty else { return false }
            file.flushScheduled = true
            return true
        }
        // Written a moment later rather than at once: the lines of the next few milliseconds join the same
        // write, and a busy node wakes the writer tens of times a second, not once per message.
        if schedule { writer.asyncAfter(deadline: .now() + Self.coalescing) { self.flush() } }
    }

    /// Writes what was appended and not written yet.
    public func flush() {
        file.withLock { file in
            file.flushScheduled = false
            write(&file)
        }
    }

    private func write(_ file: inout File) {
        guard !file.pending.isEmpty else { return }
        // A journal that cannot be written must not stop delivery; the store holds the state.
        if (try? FileSystem.writeAll(file.descriptor, file.pending, path: path)) != nil { file.size += file.pending.count }
        // Kept for the next lines, unless a burst made it large.
        if file.pending.capacity > 256 * 1024 { file.pending = [] } else { file.pending.removeAll(keepingCapacity: true) }
        if file.size >= maxBytes {
            let scheduled = file.flushScheduled
            file = rotate(file.descriptor)
            file.flushScheduled = scheduled
        }
    }

    public func append(_ entry: Entry) { append([entry]) }

    /// Every entry of the journal, oldest first, across rotated files; unreadable lines are skipped.
    public func entries() -> [Entry] {
        flush()
        let files = (1...keep).reversed().map { "\(path).\($0)" } + [path]
        let decoder = JSONDecoder()
        var result: [Entry] = []
        for file in files {
            guard let bytes = try? FileSystem.read(file) else { continue }
            for line in bytes.split(separator: UInt8(ascii: "\n")) {
                if let entry = try? decoder.decode(Entry.self, from: Data(line)) { result.append(entry) }
            }
        }
        return result
    }

    /// The message as accepted, from its `accepted` line: what `bosun replay` sends again.
    public func acceptedMessage(id: String) -> Message? {
        entries().last { $0.event == .accepted && $0.id == id }?.message
    }

    private func rotate(_ fd: Int32) -> File {
        close(fd)
        FileSystem.remove("\(path).\(keep)")
        for index in stride(from: keep - 1, through: 1, by: -1) {
            try? FileSystem.rename("\(path).\(index)", to: "\(path).\(index + 1)")
        }
        try? FileSystem.rename(path, to: "\(path).1")
        let fresh = Self.open(path)
        return File(descriptor: fresh, size: Self.size(of: fresh))
    }

    private static func size(of fd: Int32) -> Int {
        var info = stat()
        return fstat(fd, &info) == 0 ? Int(info.st_size) : 0
    }

    private static func open(_ path: String) -> Int32 {
        Glibc.open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
    }
}
