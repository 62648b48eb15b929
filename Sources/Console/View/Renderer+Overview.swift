import Shared

extension Renderer {
    /// How many nodes each list of the overview names.
    static let overviewTop = 10

    /// The fleet at a glance: nodes by liveness, then the ten with the highest CPU, the fullest disk, the highest
    /// temperature and the deepest outbox queue, side by side as the width allows.
    mutating func drawOverview(_ area: Rect) {
        drawBox(area, title: "Fleet overview", rightTitle: "live", focused: true)
        let body = inner(area)
        guard body.height > 0 else { return }
        var counts: [Liveness: Int] = [:]
        for node in state.nodes { counts[state.liveness(of: node), default: 0] += 1 }
        var x = body.x + 1
        x += frame.put("\(state.nodes.count) nodes: ", x: x, y: body.y, style: Style(bold: true), limit: body.width - 1)
        for (index, liveness) in [Liveness.up, .stale, .down].enumerated() {
            let shown = glyphs.liveness(liveness)
            let text = (index == 0 ? "" : "  ") + "\(counts[liveness] ?? 0) \(shown.text)"
            x += frame.put(text, x: x, y: body.y, style: shown.style, limit: body.x + body.width - x)
        }
        let high = state.metrics.values.filter { metrics in
            NodeMetrics.Kind.allCases.contains { kind in metrics.latest(kind).map { NodeMetrics.isHigh(kind, $0) } ?? false }
        }.count
        frame.put("  \(glyphs.dot) \(high) past a threshold", x: x, y: body.y, style: high > 0 ? Style(.down, bold: true) : .faint, limit: body.x + body.width - x)

        let sections = overviewSections()
        let perRow = max(1, min(sections.count, body.width / 26))
        let width = body.width / perRow
        let height = Self.overviewTop + 2
        for (index, section) in sections.enumerated() {
            let top = body.y + 2 + (index / perRow) * height
            let left = body.x + 1 + (index % perRow) * width
            guard top < body.y + body.height else { break }
            frame.put(section.title, x: left, y: top, style: Style(.header, bold: true), limit: width - 1)
            if section.rows.isEmpty { frame.put("no samples yet", x: left, y: top + 1, style: .faint, limit: width - 1) }
            for (offset, row) in section.rows.enumerated() where top + 1 + offset < body.y + body.height {
                let value = DisplayWidth.fit(row.value.text, 5, right: true)
                frame.put(DisplayWidth.fit(row.name, max(1, width - 8)), x: left, y: top + 1 + offset, limit: width - 7)
                frame.put(value, x: left + width - 7, y: top + 1 + offset, style: row.value.style, limit: 6)
            }
        }
    }

    /// The overview's lists: a title and, highest first, the nodes' names and values.
    func overviewSections() -> [(title: String, rows: [(name: String, value: TableCell)])] {
        var sections: [(title: String, rows: [(name: String, value: TableCell)])] = []
        let titles: [(NodeMetrics.Kind, String)] = [(.cpu, "Highest CPU"), (.disk, "Fullest disk"), (.temp, "Hottest")]
        for (kind, title) in titles {
            var values: [(name: String, value: Double)] = []
            for (name, metrics) in state.metrics {
                if let value = metrics.latest(kind) { values.append((name, value)) }
            }
            let rows = Self.highest(values).map { (name: $0.name, value: MetricText.cell(kind, $0.value)) }
            sections.append((title, rows))
        }
        var queues: [(name: String, value: Double)] = []
        for (name, metrics) in state.metrics {
            if let queue = metrics.queue, queue > 0 { queues.append((name, Double(queue))) }
        }
        let rows = Self.highest(queues).map { (name: $0.name, value: TableCell(text: String(Int($0.value)))) }
        sections.append(("Deepest queues", rows))
        return sections
    }

    /// The ``overviewTop`` highest values, ties by name.
    static func highest(_ values: [(name: String, value: Double)]) -> [(name: String, value: Double)] {
        let sorted = values.sorted { left, right in
            left.value != right.value ? left.value > right.value : left.name < right.name
        }
        return Array(sorted.prefix(overviewTop))
    }
}
