import Shared

/// Everything the console shows, and nothing it does: ``reduce(_:_:)`` changes it, ``render(_:cols:rows:)``
/// draws it.
public struct ConsoleState: Sendable {
    /// A notice on the flash line until `expires`.
    public struct Flash: Equatable, Sendable {
        public var text: String
        public var isError: Bool
        public var expires: Timestamp
    }

    // What is known, from the latest snapshot.
    /// The known nodes, in natural order of names (`pi-2` before `pi-10`).
    public private(set) var nodes: [NodeRecord] = []
    /// The outbox, newest first.
    public private(set) var messages: [OutboxRecord] = []
    public private(set) var errors: [ErrorRecord] = []
    /// Messages the sender is still working on.
    public private(set) var pendingCount = 0
    /// Pending messages per destination node.
    public private(set) var pendingByNode: [String: Int] = [:]
    /// Each node's link as the outbox shows it: backlog, oldest waiting message, latest round trip.
    private(set) var linkHealth: [String: LinkHealth] = [:]
    /// The fan-outs among `messages`, folded into one row each in the Messages pane.
    public private(set) var fanOuts = FanOutIndex()
    /// `messages` without the fan-outs' followers: the Messages pane's rows when it folds them.
    private(set) var foldedMessages: [OutboxRecord] = []
    /// Each node's labels, for the Nodes filter (`site:barn`) and the compose bar's targets.
    public private(set) var nodeLabels: [String: [String: String]] = [:]
    /// Each node's recent metrics (CPU, memory, disk, temperature), for those that send them.
    public var metrics: [String: NodeMetrics] = [:] {
        didSet { fleetSummary = FleetSummary(metrics) }
    }
    /// The overview's figures, worked out when the metrics change rather than on every frame.
    private(set) var fleetSummary = FleetSummary([:])
    /// The rollouts, newest first.
    public var rollouts: [RolloutSummary] = []
    /// Sends waiting for their time (`bosun send --at`), shown as `scheduled N` in the header.
    public var scheduledCount = 0
    /// The lines of the Logs view, oldest first.
    public var logLines: [LogLine] = []
    /// The NATS connection's state, as a word.
    public var connection: String = "connecting"
    public var serverURL: String
    public var now: Timestamp
    /// Seconds east of UTC for clock times on screen.
    public var utcOffset: Int

    // How it is shown.
    public var cols: Int = 100
    public var rows: Int = 30
    /// Plain ASCII glyphs instead of `●◐○✓✗…`.
    public var ascii: Bool
    /// Attributes only, no colours (NO_COLOR or `--no-color`).
    public var noColor: Bool

    // Where the operator is.
    public var mode: Mode = .normal
    public var focus: Pane = .nodes
    /// Which list the Detail pane describes: the selected node or the selected message.
    public var detailSubject: Pane = .nodes
    public var selectedNode: String?
    public var selectedMessage: String?
    public var selectedError: Int = 0
    public var filters: [Pane: String] = [:]
    /// The filter being typed (`/`).
    public var filterEditor = LineEditor()
    /// All nodes' messages, or only the selected node's.
    public var showAllMessages = true
    public var marked: Set<String> = []

    // The compose bar and the `:` line.
    public var compose = LineEditor()
    /// The nodes the compose line goes to when nodes were marked; nil when the line names its node.
    public var composeTargets: [String]?
    /// `<data-dir>/groups.json`, for `@group` in the compose line.
    var groups = NodeGroups()
    public var history: [String]
    /// Where Up/Down is in `history`; nil when editing a new line.
    public var historyIndex: Int?
    /// The line being typed before Up was pressed, given back by Down.
    public var historyDraft: String = ""
    public var commandLine = LineEditor()
    /// The flash line's notice, if any.
    public var flash: Flash?

    public init(
        serverURL: String = "", now: Timestamp = .now, utcOffset: Int = 0, ascii: Bool = false,
        noColor: Bool = false, history: [String] = []
    ) {
        self.serverURL = serverURL
        self.now = now
        self.utcOffset = utcOffset
        self.ascii = ascii
        self.noColor = noColor
        self.history = history
    }

    /// How long a flash stays on screen, in seconds.
    public static let flashSeconds = 4.0
    /// How many compose lines are remembered.
    public static let historyLimit = 500

    /// Takes a snapshot: messages newest first, and the counts worked out once instead of on every frame.
    mutating func take(nodes: [NodeRecord], messages: [OutboxRecord], errors: [ErrorRecord]) {
        self.nodes = nodes.sorted { NaturalOrder.precedes($0.name, $1.name) }
        self.messages = messages.isNewestFirst ? messages : messages.sorted { $0.sequence > $1.sequence }
        self.errors = errors
        fanOuts = FanOutIndex(self.messages)
        foldedMessages = fanOuts.isEmpty ? self.messages : self.messages.filter { !fanOuts.followers.contains($0.id) }
        nodeLabels = Self.labels(of: nodes)
        linkHealth = LinkHealth.of(self.messages)
        pendingByNode = linkHealth.compactMapValues { $0.pending > 0 ? $0.pending : nil }
        pendingCount = pendingByNode.values.reduce(0, +)
    }

    mutating func flash(_ text: String, error: Bool = false) {
        flash = Flash(text: text, isError: error, expires: now.adding(seconds: Self.flashSeconds))
    }
}
