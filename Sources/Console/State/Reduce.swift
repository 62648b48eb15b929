import Shared

/// Applies one event to the state and returns what the app must do outside it. Pure: no I/O, no clock.
public func reduce(_ state: inout ConsoleState, _ event: ConsoleEvent) -> [ConsoleAction] {
    switch event {
    case .key(let key):
        return state.handle(key)
    case .resize(let cols, let rows):
        state.cols = max(0, cols)
        state.rows = max(0, rows)
    case .tick(let now):
        state.now = now
        if let flash = state.flash, flash.expires <= now { state.flash = nil }
    case .snapshot(let nodes, let messages, let errors):
        state.take(nodes: nodes, messages: messages, errors: errors)
        state.keepSelectionsValid()
    case .metrics(let metrics):
        state.metrics = metrics
    case .rollouts(let rollouts):
        state.rollouts = rollouts
    case .scheduled(let count):
        state.scheduledCount = count
    case .logLines(let node, let lines, let reset):
        state.takeLogLines(node: node, lines, reset: reset)
    case .connection(let text):
        state.connection = text
    case .flash(let text):
        state.flash(text)
    case .flashError(let text):
        state.flash(text, error: true)
    case .terminate:
        return [.quit]
    }
    return []
}

extension ConsoleState {
    /// Routes a key to the current mode.
    mutating func handle(_ key: Key) -> [ConsoleAction] {
        switch mode {
        case .normal: return handleNormal(key)
        case .compose: return handleCompose(key)
        case .filter(let pane): return handleFilter(key, pane: pane)
        case .command: return handleCommand(key)
        case .help:
            mode = .normal
            return []
        case .errors: return handleErrors(key)
        case .viewer(let viewer): return handleViewer(key, viewer)
        case .grouped(let view): return handleGrouped(key, view)
        case .logs(let viewer): return handleLogs(key, viewer)
        case .rollouts(let view): return handleRollouts(key, view)
        case .overview:
            if [.escape, .char("q"), .char("o")].contains(key) { mode = .normal }
            return []
        case .confirmQuit:
            if key == .char("y") || key == .char("Y") { return [.quit] }
            mode = .normal
            flash("quit cancelled; the compose bar keeps its text")
            return []
        case .confirmApproval(let node):
            mode = .normal
            if key == .char("y") || key == .char("Y") { return [.approveNode(node)] }
            flash("\(node) not approved; it stays pending")
            return []
        }
    }

    /// After a snapshot, selections that vanished fall back to the first row; ones still present stay.
    mutating func keepSelectionsValid() {
        let nodes = visibleNodes
        if !nodes.contains(where: { $0.name == selectedNode }) { selectedNode = nodes.first?.name }
        let messages = visibleMessages
        if !messages.contains(where: { $0.id == selectedMessage }) { selectedMessage = messages.first?.id }
        let known = Set(nodes.map(\.name))
        marked.formIntersection(known)
        selectedError = min(selectedError, max(0, errors.count - 1))
    }

    /// Asks before quitting when the compose bar holds text.
    mutating func requestQuit() -> [ConsoleAction] {
        if compose.isEmpty { return [.quit] }
        mode = .confirmQuit
        return []
    }

    /// Rows that one page of the focused list moves by.
    var pageSize: Int { max(1, rows / 3) }
}
