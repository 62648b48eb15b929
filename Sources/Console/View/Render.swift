import Shared

/// Draws the whole screen for a state at a size. Pure: the same state and size give the same frame.
public func render(_ state: ConsoleState, cols: Int, rows: Int) -> Frame {
    var renderer = Renderer(state: state, frame: Frame(cols: cols, rows: rows))
    renderer.draw()
    return renderer.frame
}

/// Draws into a frame; split by concern over `Renderer+*.swift`.
///
/// The panes' lists are worked out once per frame, and only the rows on screen are drawn, so a frame costs
/// the same few milliseconds with ten nodes or ten thousand.
struct Renderer {
    let state: ConsoleState
    var frame: Frame
    let glyphs: Glyphs
    /// The Nodes pane's rows and the selected one's index in them.
    let nodes: [NodeRecord]
    let nodeIndex: Int
    /// The Messages pane's rows and the selected one's index in them.
    let messages: [OutboxRecord]
    let messageIndex: Int

    /// How many nodes are up, stale and down, counted once for the header and the overview.
    let liveness: [Liveness: Int]

    init(state: ConsoleState, frame: Frame) {
        self.state = state
        self.frame = frame
        glyphs = Glyphs(ascii: state.ascii)
        // The full-screen views draw neither list: they skip working them out (a sort of every node, a pass over
        // every message), which was most of an overview frame with 10,000 nodes.
        if state.mode.showsPanes {
            nodes = state.visibleNodes
            messages = state.visibleMessages
        } else {
            (nodes, messages) = ([], [])
        }
        nodeIndex = state.nodeIndex(in: nodes)
        messageIndex = state.messageIndex(in: messages)
        var up = 0
        var stale = 0
        for node in state.nodes {
            switch state.liveness(of: node) {
            case .up: up += 1
            case .stale: stale += 1
            case .down: break
            }
        }
        liveness = [.up: up, .stale: stale, .down: state.nodes.count - up - stale]
    }

    /// The node the cursor is on, if the list is not empty.
    var currentNode: NodeRecord? { nodes.isEmpty ? nil : nodes[nodeIndex] }
    /// The message the cursor is on, if the list is not empty.
    var currentMessage: OutboxRecord? { messages.isEmpty ? nil : messages[messageIndex] }

    mutating func draw() {
        let layout = Layout(cols: frame.cols, rows: frame.rows)
        if layout == .tooSmall {
            frame.put("terminal too small", x: 0, y: 0, style: Style(.down, bold: true))
            return
        }
        drawHeader()
        let middle = Layout.middle(cols: frame.cols, rows: frame.rows)
        switch state.mode {
        case .errors: drawErrors(middle)
        case .viewer(let viewer): drawViewer(viewer, in: middle)
        case .grouped(let view): drawGrouped(view, in: middle)
        case .logs(let viewer): drawLogs(viewer, in: middle)
        case .overview: drawOverview(middle)
        case .rollouts(let view): drawRollouts(view, in: middle)
        default:
            switch layout {
            case .panes(let nodes, let messages, let detail, let wide):
                drawNodes(nodes, wide: wide, single: false)
                drawMessages(messages, wide: wide, single: false)
                drawDetail(detail, single: false)
            case .single(let area):
                switch state.focus {
                case .nodes: drawNodes(area, wide: false, single: true)
                case .messages: drawMessages(area, wide: false, single: true)
                case .detail: drawDetail(area, single: true)
                }
            case .tooSmall: break
            }
        }
        if state.mode == .help { drawHelp(middle) }
        drawBottom()
    }

    /// The first row shown of a list so that `selected` is visible in `height` rows.
    func top(selected: Int, count: Int, height: Int) -> Int {
        guard height > 0, count > height else { return 0 }
        return min(max(0, selected - height + 1), count - height)
    }

    /// A pane's title: `[1] Nodes (12)`, marked when focused.
    func paneTitle(_ pane: Pane, _ rest: String) -> String {
        "[\(pane.rawValue + 1)] \(pane.title)\(rest)"
    }
}
