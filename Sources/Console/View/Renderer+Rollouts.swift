import Shared

extension Renderer {
    /// The rollouts, newest first: state, the stage begun (`batch 1 of 2`), outcomes so far, target and command;
    /// the selected one's reason under the table.
    mutating func drawRollouts(_ view: RolloutsView, in area: Rect) {
        let rollouts = state.rollouts
        drawBox(area, title: "Rollouts (\(rollouts.count))", rightTitle: "live", focused: true)
        let body = inner(area)
        guard body.height > 1 else { return }
        let columns = [
            Column(title: "ID", width: ShortID.length), Column(title: "STATE", width: 9),
            Column(title: "STAGE", width: 20), Column(title: "OUTCOMES", width: 0, minimum: 12),
            Column(title: "COMMAND", width: min(30, max(10, body.width / 4))),
        ]
        let selected = rollouts.isEmpty ? nil : min(view.selected, rollouts.count - 1)
        let sign = glyphs.selected
        let table = Rect(x: body.x, y: body.y, width: body.width, height: body.height - 1)
        drawTable(table, columns: columns, count: rollouts.count, selected: selected, focused: true) { index in
            let rollout = rollouts[index]
            let style: Style =
                switch rollout.state {
                case "running": Style(.sending)
                case "paused": Style(.stale, bold: true)
                case "completed": Style(.acked)
                default: Style(.failed, bold: true)
                }
            return (
                index == selected ? sign + " " : "  ",
                [
                    TableCell(text: ShortID.of(rollout.operation), style: .faint),
                    TableCell(text: rollout.state, style: style),
                    TableCell(text: "\(rollout.stage) (\(rollout.stagesBegun)/\(rollout.stages))"),
                    TableCell(text: rollout.outcomeText),
                    TableCell(text: "\(rollout.target) \(rollout.command)", style: .faint),
                ]
            )
        }
        if let selected, let reason = rollouts[selected].reason {
            frame.put(reason, x: body.x + 2, y: body.y + body.height - 1, style: .faint, limit: body.width - 2)
        }
    }
}
