import ArgumentParser
import Foundation
import Shared

/// `bosun metrics NODE`: a node's metrics from the central node's metrics store.
struct MetricsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metrics",
        abstract: "Show a node's metrics (from <data-dir>/metrics.db): now, min, mean, max and a sparkline each.",
        discussion: """
            The window decides the resolution: up to an hour raw samples, up to a day one-minute aggregates, \
            beyond ten-minute ones (kept 30 days).
            """)

    @OptionGroup var options: NodeOptions
    @Argument(help: "The node.") var node: String
    @Option(help: ArgumentHelp("How far back: 90s, 10m, 1h, 2d.", valueName: "span")) var since = SinceOption(seconds: 3600)
    @Flag(help: "One JSON object per point: node, metric, resolution, time, min, mean, max.") var json = false
    @Flag(help: "Plain ASCII sparklines.") var ascii = false

    func validate() throws {
        if !NodeName.isValid(node) { throw ValidationError("NODE: \"\(node)\" is not a valid node name") }
    }

    func run() throws {
        let path = CentralNode.dataDirectory(options) + "/metrics.db"
        guard FileManager.default.fileExists(atPath: path) else {
            throw ValidationError("no metrics at \(path): no node has sent any to this central node yet")
        }
        let store = try MetricsStore(path: path)
        let now = Timestamp.now
        let (resolution, series) = try store.series(node: node, since: now.adding(seconds: -since.seconds), now: now)
        if !json {
            print(series.isEmpty ? "no metrics from \(node) in the last \(Int(since.seconds)) s" : "METRIC\tNOW\tMIN\tMEAN\tMAX\tTREND")
        }
        for metric in series.keys.sorted() {
            let points = series[metric] ?? []
            if json {
                for point in points {
                    let row = PointRow(
                        node: node, metric: metric, resolution: resolution.rawValue, time: point.time, min: point.min,
                        mean: point.mean, max: point.max)
                    print(String(decoding: try JSONLines.encoder.encode(row), as: UTF8.self))
                }
            } else if let last = points.last {
                let low = points.map(\.min).min() ?? last.min
                let high = points.map(\.max).max() ?? last.max
                let mean = points.map(\.mean).reduce(0, +) / Double(points.count)
                let cells = [metric, format(last.mean), format(low), format(mean), format(high)]
                print(cells.joined(separator: "\t") + "\t" + Sparkline.draw(points.map(\.mean), width: 30, ascii: ascii))
            }
        }
    }

    private func format(_ value: Double) -> String {
        abs(value) >= 1_000_000 || value == value.rounded() ? String(Int64(value)) : String(format: "%.1f", value)
    }

    struct PointRow: Encodable {
        var node: String
        var metric: String
        var resolution: String
        var time: Timestamp
        var min: Double
        var mean: Double
        var max: Double
    }
}
