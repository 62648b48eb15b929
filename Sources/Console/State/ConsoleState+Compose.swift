import Shared

extension ConsoleState {
    /// `c`: opens the compose bar, addressed to the marked nodes, or prefilled with the selected node.
    /// A draft left with Esc is kept and comes back.
    mutating func startCompose() {
        mode = .compose
        historyIndex = nil
        if !marked.isEmpty {
            composeTargets = marked.sorted()
            return
        }
        composeTargets = nil
        if compose.isEmpty, let node = currentNode?.name { compose.set(node + " ") }
    }

    mutating func handleCompose(_ key: Key) -> [ConsoleAction] {
        switch key {
        case .escape:
            mode = .normal
        case .ctrl("c"):
            return requestQuit()
        case .enter:
            return sendCompose()
        case .tab:
            let result = Completion.complete(
                String(compose.characters.prefix(compose.cursor)), nodesMarked: composeTargets != nil,
                nodes: nodes.map(\.name), targets: targetResolver.completions)
            let tail = String(compose.characters.dropFirst(compose.cursor))
            compose.set(result.line + tail)
            for _ in 0..<tail.count { _ = compose.edit(.left) }
            if !result.candidates.isEmpty { flash(result.candidates.joined(separator: "  ")) }
        case .up: recallHistory(-1)
        case .down: recallHistory(1)
        default:
            if compose.edit(key) { historyIndex = nil }
        }
        return []
    }

    mutating func sendCompose() -> [ConsoleAction] {
        let line = compose.text
        switch ComposeLine.parse(line, targets: composeTargets, resolver: targetResolver) {
        case .invalid(let reason):
            flash(reason, error: true)
            return []
        case .send(let text, let toNodes):
            remember(line)
            compose = LineEditor()
            composeTargets = nil
            marked.removeAll()
            mode = .normal
            let method = CommandLineWords.split(text).first ?? ""
            let count = toNodes.count
            flash("sending \(method) to \(count == 1 ? toNodes[0] : "\(count) nodes")")
            return [.send(text: text, toNodes: toNodes)]
        }
    }

    /// Adds a sent line to the history, without repeating the previous one.
    mutating func remember(_ line: String) {
        historyIndex = nil
        guard history.last != line else { return }
        history.append(line)
        if history.count > Self.historyLimit { history.removeFirst(history.count - Self.historyLimit) }
    }

    /// Up (-1) and Down (+1) through the history; Down past the newest gives back the line being typed.
    mutating func recallHistory(_ step: Int) {
        guard !history.isEmpty else { return }
        if historyIndex == nil {
            guard step < 0 else { return }
            historyDraft = compose.text
            historyIndex = history.count
        }
        let index = historyIndex! + step
        if index >= history.count {
            historyIndex = nil
            compose.set(historyDraft)
        } else {
            historyIndex = max(0, index)
            compose.set(history[historyIndex!])
        }
    }

    mutating func handleFilter(_ key: Key, pane: Pane) -> [ConsoleAction] {
        switch key {
        case .escape:
            filters[pane] = nil
            mode = .normal
        case .enter:
            mode = .normal
        default:
            guard filterEditor.edit(key) else { return [] }
            filters[pane] = filterEditor.isEmpty ? nil : filterEditor.text
        }
        keepSelectionsValid()
        return []
    }
}
