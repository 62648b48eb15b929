import Shared

extension ListRows {
    /// A fan-out as one row: its lead's id, how many nodes, and how many of them are done, failed and waiting
    /// (`✓9 ✗1 ◌2`).
    func fanOut(_ lead: OutboxRecord, members: [OutboxRecord], selected: Bool) -> TableRow {
        var ok = 0
        var failed = 0
        var waiting = 0
        for member in members {
            switch NodeOutcome(node: "", id: member.id, record: member).kind {
            case .ok: ok += 1
            case .waiting: waiting += 1
            case .failed, .rejected, .expired, .notSent: failed += 1
            }
        }
        let counts = [
            (ok, glyphs.message(.acked).text.prefix(1)), (failed, glyphs.message(.failed).text.prefix(1)),
            (waiting, glyphs.message(.queued).text.prefix(1)),
        ].filter { $0.0 > 0 }.map { "\($0.1)\($0.0)" }.joined(separator: " ")
        let style =
            failed > 0
            ? glyphs.message(.failed).style
            : waiting > 0 ? glyphs.message(.sending).style : glyphs.message(.acked).style
        var cells = [
            TableCell(text: ShortID.of(lead.id), style: .faint),
            TableCell(text: "\(members.count) nodes", style: Style(bold: true)),
            TableCell(text: lead.message.method.rawValue),
            TableCell(text: counts, style: style),
        ]
        if wide { cells.append(TableCell(text: String(members.map(\.attempts).max() ?? 0))) }
        cells.append(TableCell(text: TimeText.age(from: lead.message.createdAt ?? lead.updatedAt, to: state.now)))
        return (selected ? glyphs.selected + " " : "  ", cells)
    }
}
