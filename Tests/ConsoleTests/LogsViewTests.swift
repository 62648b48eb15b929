import Foundation
import Shared
import Testing

@testable import Console

/// The Logs view: `l` on a node asks for its logs, lines arrive and are followed, scrolling back pauses, search
/// finds; a golden frame in `Golden/logs-100x30.txt`.
@Suite struct LogsViewTests {
    static func lines(_ count: Int, from start: Int = 0) -> [LogLine] {
        (start..<start + count).map { LogLine(name: $0 % 3 == 0 ? "kernel" : "app", text: "line \($0)") }
    }

    /// The fixture state with pi-barn's Logs view open and 40 lines in it.
    static func state() -> (ConsoleState, [ConsoleAction]) {
        var state = Fixtures.state(cols: 100, rows: 30)
        let actions = Fixtures.press(&state, .char("l"))
        _ = reduce(&state, .logLines(node: "pi-barn", lines: lines(40), reset: true))
        return (state, actions)
    }

    private func text(_ state: ConsoleState) -> [String] {
        render(state, cols: state.cols, rows: state.rows).text.split(separator: "\n").map(String.init)
    }

    @Test func lOpensTheSelectedNodesLogsAndEscStopsFollowing() {
        var (state, actions) = Self.state()
        #expect(actions == [.followLogs("pi-barn")])
        #expect(state.mode == .logs(LogsViewer(node: "pi-barn")))
        // Lines of another node (a late read) are not shown.
        _ = reduce(&state, .logLines(node: "pi-shed", lines: [LogLine(name: "x", text: "other")], reset: false))
        #expect(state.logLines.count == 40)
        #expect(Fixtures.press(&state, .escape) == [.followLogs(nil)])
        #expect(state.mode == .normal)
    }

    @Test func colonLogsOpensANamedNodeAndRefusesABadName() {
        var state = Fixtures.state(cols: 100, rows: 30)
        Fixtures.press(&state, .char(":"))
        Fixtures.type(&state, "logs pi-shed")
        #expect(Fixtures.press(&state, .enter) == [.followLogs("pi-shed")])
        #expect(state.mode == .logs(LogsViewer(node: "pi-shed")))
        Fixtures.press(&state, .escape, .char(":"))
        Fixtures.type(&state, "logs pi/shed")
        #expect(Fixtures.press(&state, .enter).isEmpty)
        #expect(state.flash?.text == ":logs: \"pi/shed\" is not a node name (letters, digits, - and _)")
    }

    @Test func followingKeepsTheNewestLineInViewAndScrollingBackPauses() {
        var (state, _) = Self.state()
        var shown = text(state)
        #expect(shown.contains { $0.contains("Logs · pi-barn") && $0.contains("following") })
        #expect(shown.contains { $0.contains("app    line 38") })
        _ = reduce(&state, .logLines(node: "pi-barn", lines: Self.lines(2, from: 40), reset: false))
        shown = text(state)
        #expect(shown.contains { $0.contains("kernel line 39") } && shown.contains { $0.contains("app    line 41") })

        Fixtures.press(&state, .char("k"))
        guard case .logs(let paused) = state.mode else { Issue.record("not in the Logs view"); return }
        #expect(!paused.following)
        _ = reduce(&state, .logLines(node: "pi-barn", lines: Self.lines(5, from: 42), reset: false))
        #expect(!text(state).contains { $0.contains("line 46") })
        #expect(text(state).contains { $0.contains("paused") })
        Fixtures.press(&state, .char("f"))
        #expect(text(state).contains { $0.contains("line 46") })
    }

    @Test func searchJumpsToTheNextMatch() {
        var (state, _) = Self.state()
        Fixtures.press(&state, .char("g"), .char("/"))
        Fixtures.type(&state, "line 3")
        Fixtures.press(&state, .enter)
        guard case .logs(let first) = state.mode else { Issue.record("not in the Logs view"); return }
        #expect(first.scroll == 3)
        Fixtures.press(&state, .char("n"))
        guard case .logs(let second) = state.mode else { Issue.record("not in the Logs view"); return }
        // Line 30 is on the last page, which starts at 40 - 26 lines.
        #expect(second.scroll == 14)
        #expect(text(state).contains { $0.contains("line 30") } && !second.following)
    }

    @Test func frameMatchesItsGolden() throws {
        let (state, _) = Self.state()
        let text = GoldenFrameTests.golden(render(state, cols: 100, rows: 30), colour: true)
        let path = "\(GoldenFrameTests.directory)/logs-100x30.txt"
        if ProcessInfo.processInfo.environment["BOSUN_UPDATE_GOLDEN"] == "1" {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        }
        #expect(text == (try String(contentsOfFile: path, encoding: .utf8)))
    }
}
