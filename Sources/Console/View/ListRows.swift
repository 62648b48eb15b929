import Shared

/// The cells of one row of the Nodes and Messages panes.
struct ListRows {
    let state: ConsoleState
    let glyphs: Glyphs
    /// Whether the VERSION and TRY columns are shown.
    let wide: Bool
    /// Whether the Nodes pane's RTT and RECN columns are offered (wide terminals).
    let link: Bool

    func node(_ node: NodeRecord, selected: Bool, pending: Int) -> TableRow {
        let marked = state.marked.contains(node.name)
        let live = glyphs.trust(node) ?? glyphs.liveness(state.liveness(of: node))
        var cells = [
            TableCell(text: node.name, style: marked ? Style(bold: true) : .plain),
            TableCell(text: live.text, style: live.style),
            TableCell(text: TimeText.age(from: node.lastSeen, to: state.now)),
        ]
        let facts = wide || link ? NodeFacts(node.facts) : NodeFacts(nil)
        if wide { cells.append(TableCell(text: facts.version ?? "-", style: .faint)) }
        cells.append(TableCell(text: String(pending)))
        if !state.metrics.isEmpty {
            cells += NodeMetrics.Kind.allCases.map { MetricText.cell($0, state.metrics[node.name]?.latest($0)) }
        }
        if link {
            cells.append(TableCell(text: TimeText.roundTrip(state.linkHealth[node.name]?.roundTrip)))
            cells.append(TableCell(text: facts.reconnects.map(String.init) ?? "-"))
        }
        return ((selected ? glyphs.selected : " ") + (marked ? glyphs.mark : " "), cells)
    }

    func message(_ record: OutboxRecord, selected: Bool) -> TableRow {
        if state.foldsFanOuts, let members = state.fanOuts.members[record.id] {
            return fanOut(record, members: members, selected: selected)
        }
        let shown = glyphs.message(record.state)
        var cells = [
            TableCell(text: ShortID.of(record.id), style: .faint),
            TableCell(text: record.message.toNode ?? "-"),
            TableCell(text: record.message.method.rawValue),
            TableCell(text: shown.text, style: shown.style),
        ]
        if wide { cells.append(TableCell(text: String(record.attempts))) }
        cells.append(TableCell(text: TimeText.age(from: record.message.createdAt ?? record.updatedAt, to: state.now)))
        return (selected ? glyphs.selected + " " : "  ", cells)
    }
}
