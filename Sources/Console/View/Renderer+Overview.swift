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
        let counts = liveness
        let summary = state.fleetSummary
        var x = body.x + 1
        x += frame.put("\(state.nodes.count) nodes: ", x: x, y: body.y, style: Style(bold: true), limit: body.width - 1)
        for (index, liveness) in [Liveness.up, .stale, .down].enumerated() {
            let shown = glyphs.liveness(liveness)
            let text = (index == 0 ? "" : "  ") + "\(counts[liveness] ?? 0) \(shown.text)"
            x += frame.put(text, x: x, y: body.y, style: shown.style, limit: body.x + body.width - x)
        }
        frame.put(
            "  \(glyphs.dot) \(summary.high) past a threshold", x: x, y: body.y,
            style: summary.high > 0 ? Style(.down, bold: true) : .faint, limit: body.x + body.width - x)

        let sections = summary.sections
        let perRow = max(1, min(sections.count, body.width / 26))
        let width = body.width / perRow
        let height = Self.overviewTop + 2
        for (index, section) in sections.enumerated() {
            let top = body.y + 2 + (index / perRow) * height
            let left = body.x + 1 + (index % perRow) * width
            guard top < body.y + body.height else { break }
            frame.put(section.title, x: left, y: top, style: Style(.header, bold: true), limit: width - 1)
            if section.rows.isEmpty { frame.put(section.empty, x: left, y: top + 1, style: .faint, limit: width - 1) }
            for (offset, row) in section.rows.enumerated() where top + 1 + offset < body.y + body.height {
                let value = DisplayWidth.fit(row.value.text, 5, right: true)
                frame.put(DisplayWidth.fit(row.name, max(1, width - 8)), x: left, y: top + 1 + offset, limit: width - 7)
                frame.put(value, x: left + width - 7, y: top + 1 + offset, style: row.value.style, limit: 6)
            }
        }
    }
}

/// The overview's figures, worked out in one pass over the fleet's metrics: how many nodes are past a
/// threshold, and the top nodes of each list (a few kept as the pass goes, never a sort of the whole fleet).
struct FleetSummary {
    typealias Entry = (name: String, value: Double)

    var high = 0
    var top: [[Entry]] = Array(repeating: [], count: NodeMetrics.Kind.allCases.count)
    var queues: [Entry] = []

    init(_ metrics: [String: NodeMetrics]) {
        for (name, node) in metrics {
            var isHigh = false
            for kind in NodeMetrics.Kind.allCases {
                guard let value = node.latest(kind) else { continue }
                isHigh = isHigh || NodeMetrics.isHigh(kind, value)
                Self.keep((name, value), in: &top[kind.rawValue])
            }
            if isHigh { high += 1 }
            if let queue = node.queue, queue > 0 { Self.keep((name, Double(queue)), in: &queues) }
        }
    }

    /// The lists shown: a title, highest first the nodes' names and values, and what an empty list says.
    var sections: [(title: String, rows: [(name: String, value: TableCell)], empty: String)] {
        let titles: [(NodeMetrics.Kind, String)] = [(.cpu, "Highest CPU"), (.disk, "Fullest disk"), (.temp, "Hottest")]
        var sections = titles.map { kind, title in
            (title: title, rows: top[kind.rawValue].map { (name: $0.name, value: MetricText.cell(kind, $0.value)) },
                empty: "no samples yet")
        }
        let waiting = queues.map { (name: $0.name, value: TableCell(text: String(Int($0.value)))) }
        sections.append(("Deepest queues", waiting, "nothing waiting on any node"))
        return sections
    }

    /// Keeps `entry` among the ``Renderer/overviewTop`` highest of `best` (ties by name).
    static func keep(_ entry: Entry, in best: inout [Entry]) {
        let before = { (left: Entry, right: Entry) in
            left.value != right.value ? left.value > right.value : left.name < right.name
        }
        guard best.count < Renderer.overviewTop || before(entry, best[best.count - 1]) else { return }
        best.insert(entry, at: best.firstIndex { before(entry, $0) } ?? best.count)
        if best.count > Renderer.overviewTop { best.removeLast() }
    }
}
