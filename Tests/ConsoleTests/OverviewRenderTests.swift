import Foundation
import Shared
import Testing

@testable import Console

/// The fleet overview (`o`): counts by liveness and the top nodes by CPU, disk, temperature and queue; a golden
/// frame in `Golden/overview-120x40.txt`.
@Suite struct OverviewRenderTests {
    static func state(cols: Int = 120, rows: Int = 40) -> ConsoleState {
        var state = MetricsRenderTests.state(cols: cols, rows: rows)
        var metrics = state.metrics
        metrics["pi-barn"]?.queue = 42
        metrics["pi-garage"]?.queue = 0
        metrics["pi-shed"]?.queue = 3
        _ = reduce(&state, .metrics(metrics))
        Fixtures.press(&state, .char("o"))
        return state
    }

    private func text(_ state: ConsoleState) -> [String] {
        render(state, cols: state.cols, rows: state.rows).text.split(separator: "\n").map(String.init)
    }

    @Test func showsLivenessCountsAndTheTopNodesOfEachList() {
        let shown = text(Self.state())
        #expect(shown[1].contains("Fleet overview"))
        #expect(shown[2].contains("5 nodes: 3 ● up  1 ◐ stale  1 ○ down  · 1 past a threshold"), "\(shown[2])")
        #expect(shown[4].contains("Highest CPU") && shown[4].contains("Fullest disk") && shown[4].contains("Hottest"))
        #expect(shown[5].contains("pi-garage") && shown[5].contains("59%"))
        #expect(shown[5].contains("pi-barn") && shown[5].contains("93%!") && shown[5].contains("84°!"))
        // Queues: only nodes with something waiting, deepest first.
        #expect(shown[5].hasSuffix("pi-barn                  42   │"), "\(shown[5])")
        #expect(shown[6].hasSuffix("pi-shed                   3   │"), "\(shown[6])")
        #expect(shown[7].hasSuffix(String(repeating: " ", count: 30) + "│"), "\(shown[7])")
    }

    @Test func escapeGoesBack() {
        var state = Self.state()
        #expect(state.mode == .overview)
        Fixtures.press(&state, .escape)
        #expect(state.mode == .normal)
    }

    @Test func frameMatchesItsGolden() throws {
        let text = GoldenFrameTests.golden(render(Self.state(), cols: 120, rows: 40), colour: true)
        let path = "\(GoldenFrameTests.directory)/overview-120x40.txt"
        if ProcessInfo.processInfo.environment["BOSUN_UPDATE_GOLDEN"] == "1" {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        }
        #expect(text == (try String(contentsOfFile: path, encoding: .utf8)))
    }
}
