import Shared

extension Renderer {
    /// A fan-out's grouped view: the summary, then each distinct outcome once with its nodes written compactly
    /// (most common first, waiting ones last) and the first lines of its output; the selected group is marked and
    /// Tab's node named at the foot.
    mutating func drawGrouped(_ view: GroupedView, in area: Rect) {
        guard let (folded, ids) = state.outcomeGroups(lead: view.lead) else { return }
        let members = state.fanOuts.members[view.lead] ?? []
        let lead = members.first?.message
        let words = [lead?.method.rawValue ?? ""] + (lead?.methodArgs ?? [])
        fill(area)
        let selected = min(view.group, max(0, folded.groups.count - 1))
        let nodes = folded.groups.isEmpty ? [] : folded.groups[selected].nodes
        let node = nodes.isEmpty ? "" : nodes[min(view.node, nodes.count - 1)]
        drawBox(
            area, title: "Fan-out \(ShortID.of(view.lead)) \(glyphs.dot) \(words.joined(separator: " "))",
            note: "Tab: \(node) (\(min(view.node, max(0, nodes.count - 1)) + 1) of \(nodes.count))"
                + (ids[node].map { " \(glyphs.dot) \(ShortID.of($0))" } ?? ""),
            focused: true)
        let inside = inner(area)
        var lines: [(text: String, style: Style, group: Int)] = [(folded.summary, .header, -1)]
        for (index, group) in folded.groups.enumerated() {
            let marker = index == selected ? glyphs.selected + " " : "  "
            let sample = group.sample
            let names = NodeList.compact(group.nodes)
            switch sample.kind {
            case .waiting:
                lines.append(
                    (
                        marker + "still waiting (\(sample.away ? "not connected" : "no answer yet")): \(names)",
                        Style(.sending, bold: index == selected), index
                    ))
            case .notSent:
                lines.append((marker + "not sent: \(names)", Style(.dim, bold: index == selected), index))
            case .rejected, .expired:
                lines.append(
                    (
                        marker + "\(sample.kind.rawValue): \(names): \(sample.reply?.error ?? sample.lastError ?? "")",
                        Style(.failed, bold: index == selected), index
                    ))
            case .ok, .failed:
                let exit = sample.reply?.exitCode.map { ", exit \($0)" } ?? ""
                let style =
                    sample.kind == .ok
                    ? Style(.acked, bold: index == selected) : Style(.failed, bold: index == selected)
                lines.append((marker + "\(names) (\(sample.kind.rawValue)\(exit))", style, index))
                let output = (sample.reply?.stdout ?? "") + (sample.reply?.stderr ?? "")
                let outputLines = output.split(separator: "\n", omittingEmptySubsequences: false).prefix(3)
                for line in outputLines where !line.isEmpty { lines.append(("    " + line, .plain, index)) }
            }
        }
        // Keep the selected group's first line in view.
        let first = lines.firstIndex { $0.group == selected } ?? 0
        let top = first < inside.height ? 0 : first - inside.height / 2
        for (offset, line) in lines.dropFirst(top).prefix(inside.height).enumerated() {
            frame.put(line.text, x: inside.x, y: inside.y + offset, style: line.style, limit: inside.width)
        }
    }
}
