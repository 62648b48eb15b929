import Shared

/// The Logs view (`l` on a node, `:logs NODE [NAME]`, `:logs * NAME`): where it is in the forwarded logs, and
/// whether it follows new lines.
public struct LogsViewer: Equatable, Sendable {
    /// The node whose logs are shown; `*` for every node's, interleaved by time.
    public var node: String
    /// The one log shown (`syslog`), or nil for all of them.
    public var name: String?
    /// The first line shown while not following.
    public var scroll: Int = 0
    /// Keeps the newest lines in view as they arrive; scrolling up pauses it, `f` or `G` resumes.
    public var following = true
    /// The search text; matching lines are highlighted and `n`/`N` jump between them.
    public var search = LineEditor()
    public var searching = false
    /// The filter text (`|`): only the lines containing it are shown; Esc clears it.
    public var filter = LineEditor()
    public var filtering = false

    public init(node: String, name: String? = nil) {
        self.node = node
        self.name = name
    }

    /// Across every node (`:logs * NAME`): each line shows its node.
    public var acrossNodes: Bool { node == "*" }

    /// What the view shows, for its title: `pi-1`, `pi-1 syslog`, `* syslog`.
    public var source: String { name.map { "\(node) \($0)" } ?? node }
}

/// One line of a node's forwarded log, with the log's name (and, across nodes, the node's and the line's time).
public struct LogLine: Equatable, Sendable {
    public var name: String
    public var text: String
    public var node: String
    public var time: Timestamp?

    public init(name: String, text: String, node: String = "", time: Timestamp? = nil) {
        self.name = name
        self.text = text
        self.node = node
        self.time = time
    }
}
