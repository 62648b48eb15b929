import Shared

extension Renderer {
    /// The help overlay: every key, centred over the panes.
    mutating func drawHelp(_ area: Rect) {
        let lines = [
            "Tab / Shift-Tab, 1 2 3   next / previous pane, jump to a pane",
            "j k ↑ ↓, PgUp PgDn, g G  move, page, top / bottom",
            "Enter                    node: its messages · message: full output · fan-out: grouped",
            "Esc                      leave a mode, clear a filter, go back",
            "/                        filter: text, state:failed, node:pi-*, site:barn (a label)",
            ":                        :send :retry ID :cancel ID :replay ID :errors :logs NODE :overview :rollouts :q",
            "c                        compose: target method args… (a,b  *  @group  k=v)",
            "Space                    mark nodes; c then sends to all marked",
            "r x p                    retry now / cancel / replay the message",
            "y                        copy the id or the output (OSC 52)",
            "e                        the central error log",
            "a                        all nodes' messages / the selected node's",
            "l                        the node's forwarded logs, following (f pauses, | filters); :logs * NAME all nodes",
            "o                        fleet overview: liveness, top CPU, disk, temperature, queues",
            "R                        rollouts: progress; P pause, u resume, X abort (asks y/n)",
            "A                        approve the selected node asking to join (◌ pending; asks y/n)",
            "q, Ctrl-C                quit (asks when the compose bar holds text)",
        ]
        let width = min(area.width, (lines.map { DisplayWidth.of($0) }.max() ?? 0) + 4)
        let height = min(area.height, lines.count + 2)
        let box = Rect(x: area.x + (area.width - width) / 2, y: area.y + (area.height - height) / 2, width: width, height: height)
        fill(box)
        drawBox(box, title: "Help", focused: true)
        for (offset, line) in lines.prefix(max(0, height - 2)).enumerated() {
            frame.put(line, x: box.x + 2, y: box.y + 1 + offset, limit: width - 3)
        }
    }

    /// The full output of a message, scrollable, with search matches highlighted.
    mutating func drawViewer(_ viewer: OutputViewer, in area: Rect) {
        guard let record = state.messages.first(where: { $0.id == viewer.messageID }) else {
            drawBox(area, title: "Output", focused: true)
            frame.put("the message is no longer known", x: area.x + 2, y: area.y + 1, style: .faint)
            return
        }
        let lines = record.outputLines
        let body = inner(area)
        let first = min(viewer.scroll, max(0, lines.count - body.height))
        let shown = min(body.height, lines.count - first)
        let title = "Output \(glyphs.dot) \(ShortID.of(record.id)) \(record.commandText) \(glyphs.arrow) \(record.message.toNode ?? "-")"
        let status = glyphs.message(record.state).text
        drawBox(area, title: title, note: "\(first + 1)-\(first + shown) of \(lines.count)", rightTitle: status, focused: true)
        let needle = viewer.search.text.lowercased()
        for (offset, line) in lines.dropFirst(first).prefix(body.height).enumerated() {
            let hit = !needle.isEmpty && line.lowercased().contains(needle)
            let style = hit ? Style(.stale, bold: true, reverse: true) : line.hasPrefix("── ") ? Style.faint : .plain
            frame.put(line, x: body.x + 1, y: body.y + offset, style: style, limit: body.width - 1)
        }
    }

    /// The central error log, newest first.
    mutating func drawErrors(_ area: Rect) {
        let errors = state.visibleErrors
        var title = "Errors (\(errors.count)) \(glyphs.dot) newest first"
        if let filter = state.filters[.messages] { title += " \(glyphs.dot) /\(filter)" }
        let body = inner(area)
        let visible = max(0, body.height - 1)
        let selected = min(state.selectedError, max(0, errors.count - 1))
        let first = top(selected: selected, count: errors.count, height: visible)
        let note = rangeNote(top: first, shown: min(visible, errors.count - first), count: errors.count)
        drawBox(area, title: title, note: note, focused: true)
        let columns = [
            Column(title: "TIME", width: 8), Column(title: "NODE", width: 12), Column(title: "KIND", width: 8),
            Column(title: "MESSAGE", width: ShortID.length + 1), Column(title: "ERROR", width: 0, minimum: 10),
        ]
        let (state, glyphs) = (state, glyphs)
        drawTable(body, columns: columns, count: errors.count, selected: errors.isEmpty ? nil : selected, focused: true) {
            index in
            let error = errors[index]
            let cells = [
                TableCell(text: TimeText.clock(error.time, utcOffset: state.utcOffset), style: .faint),
                TableCell(text: error.node),
                TableCell(text: error.kind.rawValue, style: Style(.failed, bold: true)),
                TableCell(text: error.messageId.map { ShortID.of($0) } ?? "-", style: .faint),
                TableCell(text: error.error),
            ]
            return (index == selected ? glyphs.selected + " " : "  ", cells)
        }
    }
}
