/// The Logs view (`l` on a node): where it is in the node's forwarded logs, and whether it follows new lines.
public struct LogsViewer: Equatable, Sendable {
    /// The node whose logs are shown.
    public var node: String
    /// The first line shown while not following.
    public var scroll: Int = 0
    /// Keeps the newest lines in view as they arrive; scrolling up pauses it, `f` or `G` resumes.
    public var following = true
    /// The search text; matching lines are highlighted and `n`/`N` jump between them.
    public var search = LineEditor()
    public var searching = false

    public init(node: String) { self.node = node }
}

/// One line of a node's forwarded log, with the log's name.
public struct LogLine: Equatable, Sendable {
    public var name: String
    public var text: String

    public init(name: String, text: String) {
        self.name = name
        self.text = text
    }
}
