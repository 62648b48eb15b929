import Shared
import Synchronization

/// Reads the forwarded logs of the node the Logs view shows, and posts their new lines four times a second.
final class LogFollower: Sendable {
    private let dataDirectory: String
    private let post: @Sendable (ConsoleEvent) -> Void
    private let followed = Mutex<(node: String, reader: LogReader, fresh: Bool)?>(nil)

    /// Bytes read back from the end of each log when the view opens.
    static let tailBytes = 256 * 1024

    init(dataDirectory: String, post: @escaping @Sendable (ConsoleEvent) -> Void) {
        self.dataDirectory = dataDirectory
        self.post = post
    }

    /// Starts following `node`'s logs (its last lines first); nil stops.
    func follow(_ node: String?) {
        followed.withLock { followed in
            followed = node.map { node in
                var reader = LogReader(directory: "\(dataDirectory)/logs/\(node)", name: nil)
                reader.tailBytes = Self.tailBytes
                return (node, reader, true)
            }
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
            let groups = current.reader.readNew(since: nil)
            let fresh = current.fresh
            current.fresh = false
            followed = current
            let lines = groups.flatMap { name, lines in lines.map { LogLine(name: name, text: $0.text) } }
            return lines.isEmpty && !fresh ? nil : .logLines(node: current.node, lines: lines, reset: fresh)
        }
        if let event { post(event) }
    }
}
