import Foundation
import Shared
import Testing

@testable import Console

/// The console's metrics: the Nodes pane's CPU, MEM, DISK and TEMP columns, dropped in order when narrow, and a
/// node's sparklines in the Detail pane; golden frames in `Golden/metrics-*`.
@Suite struct MetricsRenderTests {
    /// The fixture fleet with metrics: pi-barn hot and full, pi-garage busy and rising, pi-shed without a sensor.
    static func state(cols: Int, rows: Int, ascii: Bool = false) -> ConsoleState {
        var state = Fixtures.state(cols: cols, rows: rows, ascii: ascii)
        var metrics: [String: NodeMetrics] = [:]
        func add(_ node: String, _ values: (Int) -> [NodeMetrics.Kind: Double?]) {
            var node = (node, NodeMetrics(time: Fixtures.now))
            for step in 0..<NodeMetrics.historyLength {
                node.1.add(time: Fixtures.now.adding(seconds: Double(step - NodeMetrics.historyLength) * 10), values(step))
            }
            metrics[node.0] = node.1
        }
        add("pi-barn") { step in [.cpu: Double(step % 7), .mem: 41, .disk: 93.4, .temp: 81.5 + Double(step % 3)] }
        add("pi-garage") { step in [.cpu: Double(step), .mem: 30 + Double(step) / 2, .disk: 12, .temp: 48] }
        add("pi-shed") { step in [.cpu: 2, .mem: 20, .disk: 50, .temp: nil] }
        _ = reduce(&state, .metrics(metrics))
        return state
    }

    private func lines(_ state: ConsoleState) -> [String] {
        render(state, cols: state.cols, rows: state.rows).text.split(separator: "\n").map(String.init)
    }

    @Test func nodesPaneShowsTheColumnsMarkingHighValuesWithoutColourToo() {
        let text = lines(Self.state(cols: 120, rows: 40))
        #expect(text[2].contains("CPU") && text[2].contains("MEM") && text[2].contains("DISK") && text[2].contains("TEMP"))
        let barn = text.first { $0.contains(" pi-barn ") && $0.contains("down") }
        #expect(barn?.contains(" 41% 93%! 84°!│") == true, "\(barn ?? "")")
        let shed = text.first { $0.contains(" pi-shed ") && $0.contains("stale") }
        #expect(shed?.contains("  2%  20%  50%    -│") == true, "\(shed ?? "")")
        // A node that sends none shows dashes.
        let gateway = text.first { $0.contains(" edge-gw-01 ") && $0.contains("up") }
        #expect(gateway?.contains("   -    -    -    -│") == true, "\(gateway ?? "")")
        #expect(!text[2].contains("VERSION"))
    }

    @Test func withoutMetricsThereAreNoMetricColumns() {
        let text = lines(Fixtures.state(cols: 120, rows: 40))
        #expect(!text[2].contains("CPU") && !text[2].contains("TEMP"))
    }

    @Test(arguments: [(100, ["PEND", "CPU", "MEM", "DISK"], ["TEMP"]), (90, ["PEND", "CPU", "MEM"], ["DISK", "TEMP"])])
    func narrowPanesDropTempFirstThenDisk(cols: Int, shown: [String], dropped: [String]) {
        let header = lines(Self.state(cols: cols, rows: 30))[2]
        for title in shown { #expect(header.contains(title), "\(cols) columns: \(header)") }
        for title in dropped { #expect(!header.contains(title), "\(cols) columns: \(header)") }
    }

    @Test func detailPaneDrawsASparklineWithNowMinAndMax() {
        var state = Self.state(cols: 120, rows: 40)
        Fixtures.press(&state, .char("j"), .char("j"), .char("j"))
        let text = lines(state)
        #expect(text.contains { $0.hasPrefix("┌ [3] Detail · pi-garage") })
        let cpu = text.first { $0.contains("│ cpu ") }
        #expect(cpu?.contains("▁▁▁▁") == true && cpu?.contains("▅ 59%  min 0%  max 59%") == true, "\(cpu ?? "")")
        let ascii = lines({ var copy = state; copy.ascii = true; return copy }())
        #expect(ascii.first { $0.contains("| cpu ") }?.contains("- 59%") == true)
    }

    @Test func sparklineScalesBetweenLowAndHigh() {
        #expect(Sparkline.draw([0, 1, 2, 3, 4, 5, 6, 7], width: 8) == "▁▂▃▄▅▆▇█")
        #expect(Sparkline.draw([5, 5, 5], width: 8) == "▁▁▁")
        #expect(Sparkline.draw([0, 10, 20], width: 2, ascii: true) == "_^")
        #expect(Sparkline.draw([], width: 8).isEmpty)
        #expect(Sparkline.draw([0, 50, 100], width: 8, range: 0...100) == "▁▅█")
        #expect(Sparkline.draw([3, 3.4, 2.9], width: 8, range: 0...100) == "▁▁▁")
        #expect(Sparkline.draw([48, 49, 58], width: 8, minimumSpan: 10) == "▁▂█")
    }

    @Test(arguments: [(120, 40), (80, 24), (60, 20)])
    func frameMatchesItsGolden(size: (cols: Int, rows: Int)) throws {
        var state = Self.state(cols: size.cols, rows: size.rows)
        Fixtures.press(&state, .char("j"), .char("j"), .char("j"))
        let text = GoldenFrameTests.golden(render(state, cols: size.cols, rows: size.rows), colour: true)
        let path = "\(GoldenFrameTests.directory)/metrics-\(size.cols)x\(size.rows).txt"
        if ProcessInfo.processInfo.environment["BOSUN_UPDATE_GOLDEN"] == "1" {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        }
        let kept = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text == kept, "frame \(size.cols)x\(size.rows) differs from \(path)")
    }
}
