import Shared

extension ConsoleState {
    /// The most log lines the Logs view keeps; older ones fall off the top.
    static let logLineLimit = 20_000

    /// Opens the Logs view on `node` (`:logs NODE [NAME]`, `*` for every node's) or the selected node, and asks for
    /// its logs to be followed.
    mutating func openLogs(node named: String? = nil, name: String? = nil) -> [ConsoleAction] {
        guard let node = named ?? selectedNode else {
            flash("no node selected", error: true)
            return []
        }
        guard node == "*" || NodeName.isValid(node) else {
            flash(":logs: \"\(node)\" is not a node name (letters, digits, - and _)", error: true)
            return []
        }
        if let name, !NodeName.isValid(name) {
            flash(":logs: \"\(name)\" is not a log name (letters, digits, - and _)", error: true)
            return []
        }
        logLines = []
        mode = .logs(LogsViewer(node: node, name: name))
        return [.followLogs(node, name: name)]
    }

    /// New lines of the followed node's logs (`reset`: the first read, replacing what was shown).
    mutating func takeLogLines(node: String, _ lines: [LogLine], reset: Bool) {
        guard case .logs(let viewer) = mode, viewer.node == node else { return }
        if reset { logLines = [] }
        logLines += lines
        if logLines.count > Self.logLineLimit { logLines.removeFirst(logLines.count - Self.logLineLimit) }
    }

    /// The lines the Logs view shows: all, or those containing the filter text (case ignored).
    func visibleLogLines(_ viewer: LogsViewer) -> [LogLine] {
        let needle = viewer.filter.text.lowercased()
        return needle.isEmpty ? logLines : logLines.filter { $0.text.lowercased().contains(needle) }
    }

    mutating func handleLogs(_ key: Key, _ current: LogsViewer) -> [ConsoleAction] {
        var viewer = current
        if viewer.filtering {
            // Typing the filter: the shown lines follow each key; Enter keeps it, Esc clears it.
            _ = Self.typeSearch(key, &viewer.filter, &viewer.filtering)
            viewer.scroll = 0
        }
        let texts = visibleLogLines(viewer).map(\.text)
        let lastTop = max(0, texts.count - viewerHeight)
        if viewer.following { viewer.scroll = lastTop }
        if current.filtering {
            // Handled above.
        } else if viewer.searching {
            if Self.typeSearch(key, &viewer.search, &viewer.searching) {
                jump(&viewer, in: texts, from: viewer.scroll, step: 1)
            }
        } else {
            switch key {
            case .escape where !viewer.filter.isEmpty:
                viewer.filter = LineEditor()
                flash("filter cleared")
            case .escape, .char("q"):
                mode = .normal
                return [.followLogs(nil)]
            case .char("f"):
                viewer.following.toggle()
                flash(viewer.following ? "following \(viewer.node)'s logs" : "paused: f follows again")
            case .down, .char("j"): viewer.scroll += 1
            case .up, .char("k"): scrollBack(&viewer, by: 1)
            case .pageDown, .char(" "), .ctrl("f"): viewer.scroll += viewerHeight
            case .pageUp, .ctrl("b"): scrollBack(&viewer, by: viewerHeight)
            case .char("g"), .home: scrollBack(&viewer, by: viewer.scroll)
            case .char("G"), .end: viewer.following = true
            case .char("|"):
                viewer.filtering = true
                viewer.filter = LineEditor()
            case .char("/"):
                viewer.searching = true
                viewer.search = LineEditor()
            case .char("n"), .char("N"):
                let step = key == .char("n") ? 1 : -1
                jump(&viewer, in: texts, from: viewer.scroll + step, step: step)
            default: break
            }
        }
        viewer.scroll = viewer.following ? lastTop : min(max(0, viewer.scroll), lastTop)
        if case .logs = mode { mode = .logs(viewer) }
        return []
    }

    /// Scrolling back pauses following, so the lines read stay put as new ones arrive.
    private func scrollBack(_ viewer: inout LogsViewer, by lines: Int) {
        viewer.following = false
        viewer.scroll -= lines
    }

    private mutating func jump(_ viewer: inout LogsViewer, in texts: [String], from start: Int, step: Int) {
        if let found = nextMatch(in: texts, for: viewer.search.text, from: start, step: step) {
            viewer.following = false
            viewer.scroll = found
        } else if !viewer.search.text.isEmpty {
            flash("no more matches for \(viewer.search.text)")
        }
    }
}
