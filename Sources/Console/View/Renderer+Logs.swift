extension Renderer {
    /// A node's forwarded logs: each line after its log's name (across nodes, after its node's too), search matches
    /// highlighted, only the lines matching the filter when one is set, following or paused.
    mutating func drawLogs(_ viewer: LogsViewer, in area: Rect) {
        let lines = state.visibleLogLines(viewer)
        let body = inner(area)
        let first = viewer.following ? max(0, lines.count - body.height) : min(viewer.scroll, max(0, lines.count - body.height))
        let shown = min(body.height, lines.count - first)
        let filter = viewer.filter.isEmpty ? "" : " | \(viewer.filter.text)"
        let title = "Logs \(glyphs.dot) \(viewer.source)\(filter)"
        let status = viewer.following ? "following · f pauses" : "paused · f follows"
        let note = lines.isEmpty ? "" : "\(first + 1)-\(first + shown) of \(lines.count)"
        drawBox(area, title: title, note: note, rightTitle: status, focused: true)
        if lines.isEmpty {
            let empty =
                !viewer.filter.isEmpty && !state.logLines.isEmpty
                ? "no line matches the filter \(viewer.filter.text) (Esc clears it)"
                : "no logs from \(viewer.source) yet (they arrive as `log` messages)"
            frame.put(empty, x: body.x + 1, y: body.y, style: .faint, limit: body.width - 1)
            return
        }
        let nameWidth = min(12, lines.map { DisplayWidth.of($0.name) }.max() ?? 0)
        let nodeWidth = viewer.acrossNodes ? min(16, lines.map { DisplayWidth.of($0.node) }.max() ?? 0) : 0
        let needle = viewer.search.text.lowercased()
        for (offset, line) in lines.dropFirst(first).prefix(body.height).enumerated() {
            let y = body.y + offset
            let node = viewer.acrossNodes ? DisplayWidth.fit(line.node, nodeWidth) + " " : ""
            let used = frame.put(node + DisplayWidth.fit(line.name, nameWidth) + " ", x: body.x + 1, y: y, style: .faint, limit: body.width - 1)
            let hit = !needle.isEmpty && line.text.lowercased().contains(needle)
            frame.put(line.text, x: body.x + 1 + used, y: y, style: hit ? Style(.stale, bold: true, reverse: true) : .plain, limit: body.width - 1 - used)
        }
    }
}
