import Shared

extension ConsoleState {
    /// Lines of the output viewer's text area.
    var viewerHeight: Int { max(1, rows - 4) }

    mutating func handleViewer(_ key: Key, _ current: OutputViewer) -> [ConsoleAction] {
        var viewer = current
        let record = messages.first { $0.id == viewer.messageID }
        let lines = record?.outputLines ?? []
        let lastTop = max(0, lines.count - viewerHeight)
        var actions: [ConsoleAction] = []
        if viewer.searching {
            if Self.typeSearch(key, &viewer.search, &viewer.searching) {
                viewer.scroll = nextMatch(in: lines, for: viewer.search.text, from: viewer.scroll, step: 1)
                    ?? viewer.scroll
            }
        } else {
            switch key {
            case .escape, .char("q"), .enter: mode = .normal
            case .down, .char("j"): viewer.scroll += 1
            case .up, .char("k"): viewer.scroll -= 1
            case .pageDown, .char(" "), .ctrl("f"): viewer.scroll += viewerHeight
            case .pageUp, .ctrl("b"): viewer.scroll -= viewerHeight
            case .char("g"), .home: viewer.scroll = 0
            case .char("G"), .end: viewer.scroll = lastTop
            case .char("/"):
                viewer.searching = true
                viewer.search = LineEditor()
            case .char("n"), .char("N"):
                let step = key == .char("n") ? 1 : -1
                if let found = nextMatch(in: lines, for: viewer.search.text, from: viewer.scroll + step, step: step) {
                    viewer.scroll = found
                } else {
                    flash("no more matches for \(viewer.search.text)")
                }
            case .char("y"):
                flash("copied the output")
                actions = [.copy(lines.joined(separator: "\n"))]
            default: break
            }
        }
        viewer.scroll = min(max(0, viewer.scroll), lastTop)
        if case .viewer = mode { mode = .viewer(viewer) }
        return actions
    }

    /// The index of the next line at or after `start` (before, for step -1) that contains `text`.
    func nextMatch(in lines: [String], for text: String, from start: Int, step: Int) -> Int? {
        guard !text.isEmpty else { return nil }
        let needle = text.lowercased()
        var index = start
        while index >= 0 && index < lines.count {
            if lines[index].lowercased().contains(needle) { return index }
            index += step
        }
        return nil
    }
}
