import Shared

extension Renderer {
    mutating func drawNodes(_ rect: Rect, wide: Bool, single: Bool) {
        // The metric columns take VERSION's place (the Detail pane still shows it).
        let withVersion = wide && metricColumns.isEmpty
        let pending = state.pendingByNode
        var columns = [
            Column(title: "NAME", width: 0, minimum: 8), Column(title: "STATE", width: 7),
            Column(title: "SEEN", width: 4, right: true),
        ]
        if withVersion { columns.append(Column(title: "VERSION", width: 8)) }
        columns.append(Column(title: "PEND", width: 4, right: true))
        columns += metricColumns
        if wide {
            // Last, and only while names keep 12 cells beside them: a narrow pane drops them first.
            let room = inner(rect).width - 2 - 12
            for link in [Column(title: "RTT", width: 5, right: true), Column(title: "RECN", width: 4, right: true)] {
                let used = columns.reduce(0) { $0 + $1.width + 1 } + link.width
                if used <= room { columns.append(link) }
            }
        }
        let focused = state.focus == .nodes
        let total = nodes.count == state.nodes.count ? "" : "/\(state.nodes.count)"
        var title = paneTitle(.nodes, " (\(nodes.count)\(total))")
        if let filter = state.filters[.nodes] { title += " \(glyphs.dot) /\(filter)" }
        if !state.marked.isEmpty { title += " \(glyphs.dot) \(state.marked.count) marked" }
        let selected = nodes.isEmpty ? nil : nodeIndex
        // The row closure runs while the pane is drawn: it reads copies, not `self`.
        let (rows, nodes) = (ListRows(state: state, glyphs: glyphs, wide: withVersion, link: columns.contains { $0.title == "RTT" }), nodes)
        drawListPane(
            rect, title: title, columns: columns, count: nodes.count, selected: selected, focused: focused,
            single: single
        ) { rows.node(nodes[$0], selected: $0 == selected, pending: pending[nodes[$0].name] ?? 0) }
    }

    mutating func drawMessages(_ rect: Rect, wide: Bool, single: Bool) {
        var columns = [
            Column(title: "ID", width: ShortID.length), Column(title: "TO", width: 0, minimum: 6),
            Column(title: "METHOD", width: 10), Column(title: "STATE", width: 12),
        ]
        if wide { columns.append(Column(title: "TRY", width: 3, right: true)) }
        columns.append(Column(title: "AGE", width: 4, right: true))
        let focused = state.focus == .messages
        var title = paneTitle(.messages, " (\(messages.count))")
        title += " \(glyphs.dot) " + (state.showAllMessages ? "all nodes" : (state.selectedNode ?? "no node"))
        if let filter = state.filters[.messages] { title += " \(glyphs.dot) /\(filter)" }
        let selected = messages.isEmpty ? nil : messageIndex
        let (rows, messages) = (ListRows(state: state, glyphs: glyphs, wide: wide, link: false), messages)
        drawListPane(
            rect, title: title, columns: columns, count: messages.count, selected: selected, focused: focused,
            single: single
        ) { rows.message(messages[$0], selected: $0 == selected) }
    }

    /// A pane holding a table: its box, the "1-5 of 12" note, and the rows scrolled to keep the selection in
    /// view; `row` makes the sign and cells of one row, and is asked only for the rows on screen.
    private mutating func drawListPane(
        _ rect: Rect, title: String, columns: [Column], count: Int, selected: Int?, focused: Bool, single: Bool,
        row: (Int) -> TableRow
    ) {
        let area = inner(rect)
        let visible = max(0, area.height - 1)
        let first = top(selected: selected ?? 0, count: count, height: visible)
        let note = rangeNote(top: first, shown: min(visible, count - first), count: count)
        drawBox(rect, title: title, note: note, rightTitle: single ? "Tab: next pane" : "", focused: focused)
        drawTable(area, columns: columns, count: count, selected: selected, focused: focused, row: row)
    }
}
