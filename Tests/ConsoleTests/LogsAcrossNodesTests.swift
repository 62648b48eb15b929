import Foundation
import Shared
import Testing

@testable import Console

/// `:logs * NAME` (one log across every node, interleaved by time, each line with its node) and the Logs view's
/// filter (`|`, Esc clears); a golden frame in `Golden/logs-all-100x30.txt`.
@Suite struct LogsAcrossNodesTests {
    static let base = Timestamp(millisecondsSinceEpoch: 1_790_000_000_000)

    /// Every node's `syslog` open, with 30 lines from three nodes in time order.
    static func state() -> (ConsoleState, [ConsoleAction]) {
        var state = Fixtures.state(cols: 100, rows: 30)
        Fixtures.press(&state, .char(":"))
        Fixtures.type(&state, "logs * syslog")
        let actions = Fixtures.press(&state, .enter)
        let nodes = ["pi-barn", "pi-shed", "pi-garden-long"]
        let lines = (0..<30).map { index in
            LogLine(
                name: "syslog", text: "\(index % 2 == 0 ? "ok" : "warn") event \(index)", node: nodes[index % 3],
                time: base.adding(seconds: Double(index)))
        }
        _ = reduce(&state, .logLines(node: "*", lines: lines, reset: true))
        return (state, actions)
    }

    private func text(_ state: ConsoleState) -> [String] {
        render(state, cols: state.cols, rows: state.rows).text.split(separator: "\n").map(String.init)
    }

    @Test func colonLogsStarFollowsOneLogOfEveryNodeWithTheNodeInAColumn() {
        let (state, actions) = Self.state()
        #expect(actions == [.followLogs("*", name: "syslog")])
        #expect(state.mode == .logs(LogsViewer(node: "*", name: "syslog")))
        let shown = text(state)
        #expect(shown.contains { $0.contains("Logs · * syslog") }, "\(shown)")
        #expect(shown.contains { $0.contains("pi-garden-long syslog warn event 29") }, "\(shown)")
        #expect(shown.contains { $0.contains("pi-barn        syslog warn event 27") }, "\(shown)")
    }

    @Test func aBadLogNameIsRefusedNamingIt() {
        var state = Fixtures.state(cols: 100, rows: 30)
        Fixtures.press(&state, .char(":"))
        Fixtures.type(&state, "logs * sys/log")
        #expect(Fixtures.press(&state, .enter).isEmpty)
        #expect(state.flash?.text == ":logs: \"sys/log\" is not a log name (letters, digits, - and _)")
    }

    @Test func theFilterKeepsOnlyMatchingLinesAndEscClearsIt() {
        var (state, _) = Self.state()
        Fixtures.press(&state, .char("|"))
        Fixtures.type(&state, "WARN")
        Fixtures.press(&state, .enter)
        guard case .logs(let viewer) = state.mode else { Issue.record("not in the Logs view"); return }
        #expect(viewer.filter.text == "WARN" && !viewer.filtering)
        let visible = state.visibleLogLines(viewer)
        #expect(visible.count == 15 && visible.allSatisfy { $0.text.hasPrefix("warn") })
        let shown = text(state)
        #expect(shown.contains { $0.contains("Logs · * syslog | WARN") }, "\(shown)")
        #expect(!shown.contains { $0.contains("ok event") }, "\(shown)")
        // Esc clears the filter first, and leaves the view only then.
        #expect(Fixtures.press(&state, .escape).isEmpty)
        guard case .logs(let cleared) = state.mode else { Issue.record("left the Logs view"); return }
        #expect(cleared.filter.isEmpty && state.visibleLogLines(cleared).count == 30)
        #expect(Fixtures.press(&state, .escape) == [.followLogs(nil)])
    }

    @Test func aFilterNothingMatchesSaysSo() {
        var (state, _) = Self.state()
        Fixtures.press(&state, .char("|"))
        Fixtures.type(&state, "panic")
        #expect(text(state).contains { $0.contains("no line matches the filter panic (Esc clears it)") })
        Fixtures.press(&state, .escape)
        guard case .logs(let viewer) = state.mode else { Issue.record("left the Logs view"); return }
        #expect(viewer.filter.isEmpty && !viewer.filtering)
    }

    @Test func logSourcesInterleaveEveryNodesLogByTime() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bosun-logs-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for node in ["pi-a", "pi-b"] {
            try FileManager.default.createDirectory(atPath: "\(directory)/\(node)", withIntermediateDirectories: true)
        }
        let stamp = { (second: Int) in "2026-11-30T10:00:0\(second)Z" }
        try "\(stamp(1)) a one\n  continued\n\(stamp(4)) a four\n".write(
            toFile: "\(directory)/pi-a/syslog.log", atomically: true, encoding: .utf8)
        try "\(stamp(2)) b two\n\(stamp(3)) b three\n".write(
            toFile: "\(directory)/pi-b/syslog.log", atomically: true, encoding: .utf8)
        try "\(stamp(0)) other log\n".write(toFile: "\(directory)/pi-b/app.log", atomically: true, encoding: .utf8)
        var sources = LogSources(logs: directory, node: "*", name: "syslog")
        let lines = sources.readNew()
        #expect(lines.map(\.node) == ["pi-a", "pi-a", "pi-b", "pi-b", "pi-a"])
        #expect(lines.map(\.text) == [
            "\(stamp(1)) a one", "  continued", "\(stamp(2)) b two", "\(stamp(3)) b three", "\(stamp(4)) a four",
        ])
        // A node that starts logging later joins in; lines already read are not read again.
        try FileManager.default.createDirectory(atPath: "\(directory)/pi-c", withIntermediateDirectories: true)
        try "\(stamp(5)) c five\n".write(toFile: "\(directory)/pi-c/syslog.log", atomically: true, encoding: .utf8)
        #expect(sources.readNew().map(\.node) == ["pi-c"])
    }

    @Test func frameMatchesItsGolden() throws {
        var (state, _) = Self.state()
        Fixtures.press(&state, .char("|"))
        Fixtures.type(&state, "warn")
        let text = GoldenFrameTests.golden(render(state, cols: 100, rows: 30), colour: true)
        let path = "\(GoldenFrameTests.directory)/logs-all-100x30.txt"
        if ProcessInfo.processInfo.environment["BOSUN_UPDATE_GOLDEN"] == "1" {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        }
        #expect(text == (try String(contentsOfFile: path, encoding: .utf8)))
    }
}
