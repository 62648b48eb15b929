import Shared

extension Renderer {
    /// The Nodes pane's CPU, MEM, DISK and TEMP columns, once any node sends metrics. They come last, so a
    /// narrow pane drops TEMP first, then DISK, MEM and CPU (then PEND, as before).
    var metricColumns: [Column] {
        guard !state.metrics.isEmpty else { return [] }
        return NodeMetrics.Kind.allCases.map { Column(title: $0.name.uppercased(), width: 4, right: true) }
    }

    /// Sparklines of a node's metrics for its Detail pane: the recent history, the newest value, min and max.
    func metricLines(_ node: String) -> [[TableCell]] {
        guard let metrics = state.metrics[node] else { return [] }
        var lines: [[TableCell]] = []
        for kind in NodeMetrics.Kind.allCases {
            let values = metrics.values(kind)
            guard let last = values.last else { continue }
            let cell = MetricText.cell(kind, last)
            lines.append([
                TableCell(text: DisplayWidth.fit(kind.name, 5), style: .faint),
                TableCell(text: Self.sparkline(kind, values, ascii: state.ascii) + " ", style: cell.style),
                TableCell(text: cell.text, style: cell.style),
                TableCell(text: "  min \(MetricText.value(kind, values.min() ?? last))  max \(MetricText.value(kind, values.max() ?? last))", style: .faint),
            ])
        }
        if !lines.isEmpty {
            lines.append([TableCell(text: "last \(NodeMetrics.historyLength) samples · bosun metrics \(node) for more", style: .faint)])
        }
        return lines
    }
}

extension Renderer {
    /// Percentages over 0–100, so 3% looks low; temperatures between their lowest and highest, at least 10 °C.
    static func sparkline(_ kind: NodeMetrics.Kind, _ values: [Double], ascii: Bool) -> String {
        kind == .temp
            ? Sparkline.draw(values, width: NodeMetrics.historyLength, ascii: ascii, minimumSpan: 10)
            : Sparkline.draw(values, width: NodeMetrics.historyLength, ascii: ascii, range: 0...100)
    }
}

/// A metric value as a cell: `12%`, `48°`; past its threshold with a `!` and the alert colour, so it shows
/// without colour too.
enum MetricText {
    static func value(_ kind: NodeMetrics.Kind, _ value: Double) -> String {
        "\(Int(value.rounded()))" + (kind == .temp ? "°" : "%")
    }

    static func cell(_ kind: NodeMetrics.Kind, _ value: Double?) -> TableCell {
        guard let value else { return TableCell(text: "-", style: .faint) }
        let high = NodeMetrics.isHigh(kind, value)
        var text = Self.value(kind, value)
        // Four cells: `93%!`, and `100!` rather than a cut-off `100%`.
        if high { text = (text.count >= 4 ? String(text.dropLast()) : text) + "!" }
        return TableCell(text: text, style: high ? Style(.down, bold: true) : .plain)
    }
}
