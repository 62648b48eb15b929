import Shared
import Synchronization

/// Reads the forwarded logs the Logs view shows (one node's, or with `*` every node's interleaved by time), and
/// posts their new lines four times a second.
final class LogFollower: Sendable {
    private let dataDirectory: String
    private let post: @Sendable (ConsoleEvent) -> Void
    private let followed = Mutex<LogSources?>(nil)

    /// Bytes read back from the end of each log when the view opens.
    static let tailBytes = 256 * 1024

    init(dataDirectory: String, post: @escaping @Sendable (ConsoleEvent) -> Void) {
        self.dataDirectory = dataDirectory
        self.post = post
    }

    /// Starts following `node`'s logs (`*`: every node's; `name`: that log only), their last lines first; nil stops.
    func follow(_ node: String?, name: String? = nil) {
        followed.withLock { followed in
            followed = node.map { LogSources(logs: dataDirectory + "/logs", node: $0, name: name) }
        }
        poll()
    }

    func run() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(250))
            poll()
        }
    }

    private func poll() {
        let event = followed.withLock { followed -> ConsoleEvent? in
            guard var current = followed else { return nil }
            let fresh = current.fresh
            let lines = current.readNew()
            followed = current
            return lines.isEmpty && !fresh ? nil : .logLines(node: current.node, lines: lines, reset: fresh)
        }
        if let event { post(event) }
    }
}

/// The log readers of what the Logs view follows: one node's directory, or (`*`) each node's directory under
/// `logs/`, found again at each read so a node that starts logging joins in.
struct LogSources: Sendable {
    let logs: String
    let node: String
    let name: String?
    private(set) var fresh = true
    private var readers: [String: LogReader] = [:]

    init(logs: String, node: String, name: String?) {
        self.logs = logs
        self.node = node
        self.name = name
    }

    /// The lines added since the last read; across nodes, interleaved by time (an unstamped line keeps to the
    /// stamped line before it).
    mutating func readNew() -> [LogLine] {
        let nodes =
            node == "*"
            ? ((try? FileSystem.list(logs)) ?? []).filter { NodeName.isValid($0) && FileSystem.isDirectory("\(logs)/\($0)") }
                .sorted()
            : [node]
        var lines: [LogLine] = []
        for node in nodes {
            var reader = readers[node] ?? LogReader(directory: "\(logs)/\(node)", name: name)
            reader.tailBytes = LogFollower.tailBytes
            for (name, read) in reader.readNew(since: nil) {
                var time: Timestamp?
                for line in read {
                    time = line.time ?? time
                    lines.append(LogLine(name: name, text: line.text, node: node, time: time))
                }
            }
            readers[node] = reader
        }
        fresh = false
        guard node == "*" else { return lines }
        // A stable sort: lines of one log stay in their order.
        return lines.enumerated().sorted { a, b in
            let never = Timestamp(millisecondsSinceEpoch: 0)
            let (ta, tb) = (a.element.time ?? never, b.element.time ?? never)
            return ta == tb ? a.offset < b.offset : ta < tb
        }.map(\.element)
    }
}
