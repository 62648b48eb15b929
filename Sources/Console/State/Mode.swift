/// What the keyboard is talking to right now.
public enum Mode: Equatable, Sendable {
    /// Moving around the panes.
    case normal
    /// Typing in the compose bar.
    case compose
    /// Typing a filter for a pane (`/`).
    case filter(Pane)
    /// Typing a `:` command.
    case command
    /// The help overlay (`?`).
    case help
    /// The central error log, newest first (`e`).
    case errors
    /// The full output of one message.
    case viewer(OutputViewer)
    /// A fan-out's outcomes, identical ones folded (Enter on a fan-out's row).
    case grouped(GroupedView)
    /// The fleet at a glance (`o`): counts by liveness, the busiest, fullest, hottest and most backed-up nodes.
    case overview
    /// A node's forwarded logs, following new lines (`l`).
    case logs(LogsViewer)
    /// The rollouts and their progress (`R`), where one can be paused, resumed or aborted.
    case rollouts(RolloutsView)
    /// "Quit with text in the compose bar?", waiting for y/n.
    case confirmQuit
    /// "Approve this pending node?" (`A` on a node asking to join), waiting for y/n.
    case confirmApproval(node: String)
}

extension Mode {
    /// Whether the Nodes, Messages and Detail panes are drawn (the full-screen views cover them).
    var showsPanes: Bool {
        switch self {
        case .errors, .viewer, .grouped, .logs, .overview, .rollouts: return false
        case .normal, .compose, .filter, .command, .help, .confirmQuit, .confirmApproval: return true
        }
    }
}

/// The scrollable output viewer's position and search.
public struct OutputViewer: Equatable, Sendable {
    /// The message whose output is shown.
    public var messageID: String
    /// The first line shown.
    public var scroll: Int = 0
    /// The search text; matching lines are highlighted and `n`/`N` jump between them.
    public var search: LineEditor = LineEditor()
    /// Whether the search text is being typed.
    public var searching: Bool = false

    public init(messageID: String) { self.messageID = messageID }
}

/// The Rollouts view's selected row, and the request waiting for the operator's y.
public struct RolloutsView: Equatable, Sendable {
    public var selected: Int = 0
    /// The request asked for the selected rollout, until y confirms it or another key drops it.
    public var confirming: RolloutRequest?

    public init(selected: Int = 0, confirming: RolloutRequest? = nil) {
        self.selected = selected
        self.confirming = confirming
    }
}
