import Shared

extension ConsoleState {
    mutating func handleNormal(_ key: Key) -> [ConsoleAction] {
        switch key {
        case .char("q"), .ctrl("c"): return requestQuit()
        case .tab: setFocus(focus.next)
        case .backTab: setFocus(focus.previous)
        case .char("1"): setFocus(.nodes)
        case .char("2"): setFocus(.messages)
        case .char("3"): setFocus(.detail)
        case .down, .char("j"): move(by: 1)
        case .up, .char("k"): move(by: -1)
        case .pageDown, .ctrl("f"): move(by: pageSize)
        case .pageUp, .ctrl("b"): move(by: -pageSize)
        case .char("g"), .home: move(by: Int.min / 2)
        case .char("G"), .end: move(by: Int.max / 2)
        case .enter: return open()
        case .escape: goBack()
        case .char("/"):
            let pane = focus == .detail ? detailSubject : focus
            filterEditor = LineEditor(filters[pane] ?? "")
            mode = .filter(pane)
        case .char(":"):
            commandLine = LineEditor()
            mode = .command
        case .char("c"): startCompose()
        case .char(" "): toggleMark()
        case .char("r"): return onSelectedMessage(ConsoleAction.retry)
        case .char("x"): return onSelectedMessage(ConsoleAction.cancel)
        case .char("p"): return onSelectedMessage(ConsoleAction.replay)
        case .char("y"): return copySelection()
        case .char("l"): return openLogs()
        case .char("o"): mode = .overview
        case .char("R"): mode = .rollouts(RolloutsView())
        case .char("A"): askApproval()
        case .char("e"):
            selectedError = 0
            mode = .errors
        case .char("a"):
            showAllMessages.toggle()
            keepSelectionsValid()
            flash(showAllMessages ? "messages: all nodes" : "messages: \(selectedNode ?? "no node")")
        case .char("?"), .function(1): mode = .help
        default: break
        }
        return []
    }

    /// `A` on a node asking to join (pending): asks for y before its key is approved.
    mutating func askApproval() {
        guard let name = selectedNode, let node = nodes.first(where: { $0.name == name }) else {
            return flash("no node selected", error: true)
        }
        guard node.keyState == .pending else {
            return flash("\(name) is \(node.keyState?.rawValue ?? "not asking to join (no signed hello)"); only a pending node is approved", error: true)
        }
        mode = .confirmApproval(node: name)
    }

    mutating func setFocus(_ pane: Pane) {
        focus = pane
        if pane != .detail { detailSubject = pane }
    }

    /// Moves the selection of the focused list, clamped to its ends.
    mutating func move(by delta: Int) {
        switch focus == .detail ? detailSubject : focus {
        case .nodes:
            let list = visibleNodes
            guard !list.isEmpty else { return }
            selectedNode = list[clamp(nodeIndex(in: list) + delta, list.count)].name
            if !showAllMessages { keepSelectionsValid() }
        case .messages, .detail:
            let list = visibleMessages
            guard !list.isEmpty else { return }
            selectedMessage = list[clamp(messageIndex(in: list) + delta, list.count)].id
        }
    }

    private func clamp(_ index: Int, _ count: Int) -> Int { min(max(0, index), count - 1) }

    /// Enter: a node opens its messages, a message its full output.
    mutating func open() -> [ConsoleAction] {
        switch focus {
        case .nodes:
            guard let node = currentNode else { return [] }
            selectedNode = node.name
            showAllMessages = false
            selectedMessage = visibleMessages.first?.id
            setFocus(.messages)
        case .messages, .detail:
            guard detailSubject == .messages || focus == .messages, let record = currentMessage else { return [] }
            if foldsFanOuts, fanOuts.members[record.id] != nil {
                mode = .grouped(GroupedView(lead: record.id))
                return []
            }
            mode = .viewer(OutputViewer(messageID: record.id))
        }
        return []
    }

    /// Esc in normal mode: clear the pane's filter, else go back from a node's messages to all of them.
    mutating func goBack() {
        let pane = focus == .detail ? detailSubject : focus
        if filters[pane] != nil {
            filters[pane] = nil
            keepSelectionsValid()
        } else if focus == .messages && !showAllMessages {
            showAllMessages = true
            setFocus(.nodes)
        } else if !marked.isEmpty {
            marked.removeAll()
        }
    }

    mutating func toggleMark() {
        guard focus == .nodes, let node = currentNode else { return }
        if marked.remove(node.name) == nil { marked.insert(node.name) }
        move(by: 1)
    }

    mutating func onSelectedMessage(_ make: (String) -> ConsoleAction) -> [ConsoleAction] {
        guard let record = (detailSubject == .messages || focus == .messages) ? currentMessage : nil else {
            flash("select a message first (2 or Tab)")
            return []
        }
        return act(make(record.id), on: record)
    }

    /// Checks that an action makes sense for the message's state, and says what was asked.
    mutating func act(_ action: ConsoleAction, on record: OutboxRecord) -> [ConsoleAction] {
        let short = ShortID.of(record.id)
        switch action {
        case .retry:
            guard record.state != .acked else {
                flash("\(short) is already acked; p replays it", error: true)
                return []
            }
            flash("retrying \(short) now")
        case .cancel:
            guard !record.state.isFinal else {
                flash("\(short) is \(record.state.rawValue); nothing to cancel", error: true)
                return []
            }
            flash("cancelling \(short)")
        case .replay: flash("replaying \(short) under a new id")
        default: break
        }
        return [action]
    }

    mutating func copySelection() -> [ConsoleAction] {
        let text: String?
        switch focus == .detail ? detailSubject : focus {
        case .nodes: text = currentNode?.name
        default: text = currentMessage?.id
        }
        guard let text else { return [] }
        flash("copied \(text)")
        return [.copy(text)]
    }
}
