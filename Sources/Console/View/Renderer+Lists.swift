import Shared

extension Renderer {
    mutating func drawNodes(_ rect: Rect, wide: Bool, single: Bool) {
        let nodes = state.visibleNodes
        let pending = state.pendingByNode
        var columns = [
            Column(title: "NAME", width: 0, minimum: 8), Column(title: "STATE", width: 7),
            Column(title: "SEEN", width: 4, right: true),
        ]
        if wide { columns.append(Column(title: "VERSION", width: 8)) }
        columns.append(Column(title: "PEND", width: 4, right: true))
        var rows: [[TableCell]] = []
        var signs: [String] = []
        for node in nodes {
            let live = glyphs.liveness(state.liveness(of: node))
            var row = [
                TableCell(text: node.name, style: state.marked.contains(node.name) ? Style(bold: true) : .plain),
                TableCell(text: live.text, style: live.style),
                TableCell(text: TimeText.age(from: node.lastSeen, to: state.now)),
            ]
            if wide { row.append(TableCell(text: NodeFacts(node.facts).version ?? "-", style: .faint)) }
            row.append(TableCell(text: String(pending[node.name] ?? 0)))
            rows.append(row)
            let isSelected = node.name == state.currentNode?.name
            signs.append((isSelected ? glyphs.selected : " ") + (state.marked.contains(node.name) ? glyphs.mark : " "))
        }
        let focused = state.focus == .nodes
        let total = nodes.count == state.nodes.count ? "" : "/\(state.nodes.count)"
        var title = paneTitle(.nodes, " (\(nodes.count)\(total))")
        if let filter = state.filters[.nodes] { title += " \(glyphs.dot) /\(filter)" }
        if !state.marked.isEmpty { title += " \(glyphs.dot) \(state.marked.count) marked" }
        let selected = nodes.isEmpty ? nil : state.nodeIndex
        drawListPane(
            rect, title: title, columns: columns, rows: rows, signs: signs, selected: selected, focused: focused,
            single: single)
    }

    mutating func drawMessages(_ rect: Rect, wide: Bool, single: Bool) {
        let messages = state.visibleMessages
        var columns = [
            Column(title: "ID", width: ShortID.length), Column(title: "TO", width: 0, minimum: 6),
            Column(title: "METHOD", width: 10), Column(title: "STATE", width: 12),
        ]
        if wide { columns.append(Column(title: "TRY", width: 3, right: true)) }
        columns.append(Column(title: "AGE", width: 4, right: true))
        var rows: [[TableCell]] = []
        for record in messages {
            let shown = glyphs.message(record.state)
            var row = [
                TableCell(text: ShortID.of(record.id), style: .faint),
                TableCell(text: record.message.toNode ?? "-"),
                TableCell(text: record.message.method.rawValue),
                TableCell(text: shown.text, style: shown.style),
            ]
            if wide { row.append(TableCell(text: String(record.attempts))) }
            let age = TimeText.age(from: record.message.createdAt ?? record.updatedAt, to: state.now)
            row.append(TableCell(text: age))
            rows.append(row)
        }
        let selectedID = state.currentMessage?.id
        let signs = messages.map { $0.id == selectedID ? glyphs.selected + " " : "  " }
        let focused = state.focus == .messages
        var title = paneTitle(.messages, " (\(messages.count))")
        title += " \(glyphs.dot) " + (state.showAllMessages ? "all nodes" : (state.selectedNode ?? "no node"))
        if let filter = state.filters[.messages] { title += " \(glyphs.dot) /\(filter)" }
        let selected = messages.isEmpty ? nil : state.messageIndex
        drawListPane(
            rect, title: title, columns: columns, rows: rows, signs: signs, selected: selected, focused: focused,
            single: single)
    }

    /// A pane holding a table: its box, the "1-5 of 12" note, and the rows scrolled to keep the selection in view.
    private mutating func drawListPane(
        _ rect: Rect, title: String, columns: [Column], rows: [[TableCell]], signs: [String], selected: Int?,
        focused: Bool, single: Bool
    ) {
        let area = inner(rect)
        let visible = max(0, area.height - 1)
        let first = top(selected: selected ?? 0, count: rows.count, height: visible)
        let note = rangeNote(top: first, shown: min(visible, rows.count - first), count: rows.count)
        drawBox(rect, title: title, note: note, rightTitle: single ? "Tab: next pane" : "", focused: focused)
        drawTable(area, columns: columns, rows: rows, signs: signs, selected: selected, focused: focused)
    }
}
