import Shared
import Testing

@testable import Console

/// A fan-out is one row in the Messages pane, and Enter opens its grouped view.
@Suite struct FanOutViewTests {
    /// `uname -sr` to pi-1 … pi-5 accepted together: three say the same, one differs, one is away.
    static func state() -> ConsoleState {
        var state = Fixtures.state(cols: 120, rows: 40)
        let answers: [(node: String, stdout: String?)] = [
            ("pi-1", "Linux 6.1\n"), ("pi-2", "Linux 6.1\n"), ("pi-10", "Linux 6.1\n"), ("pi-3", "Linux 5.10\n"),
            ("pi-4", nil),
        ]
        let fanOut = answers.enumerated().map { index, answer in
            var record = Fixtures.record(
                Int64(10 + index), "019ab3c0-0000-7000-8000-000000000a1\(index)", to: answer.node, .cliCommand,
                ["uname", "-sr"], answer.stdout == nil ? .queued : .acked, ago: 5, stdout: answer.stdout)
            if answer.stdout == nil { record.lastError = "node \(answer.node) is not connected (no responders)" }
            return record
        }
        _ = reduce(
            &state, .snapshot(nodes: Fixtures.nodes, messages: (Fixtures.messages + fanOut).reversed(), errors: []))
        return state
    }

    private func lines(_ state: ConsoleState) -> [String] {
        render(state, cols: state.cols, rows: state.rows).text.split(separator: "\n").map(String.init)
    }

    @Test func aFanOutIsOneRowWithItsCounts() {
        let state = Self.state()
        #expect(state.visibleMessages.count == Fixtures.messages.count + 1)
        let row = lines(state).first { $0.contains("000a10") }
        #expect(row?.contains("5 nodes") == true && row?.contains("✓4 ◌1") == true, "\(row ?? "")")
        #expect(!lines(state).contains { $0.contains("000a11") })
    }

    @Test func enterOpensTheGroupedViewAndTabCyclesTheNodesOfAGroup() {
        var state = Self.state()
        Fixtures.press(&state, .char("2"), .char("g"))
        #expect(state.selectedMessage == "019ab3c0-0000-7000-8000-000000000a10")
        Fixtures.press(&state, .enter)
        #expect(state.mode == .grouped(GroupedView(lead: "019ab3c0-0000-7000-8000-000000000a10")))
        let text = lines(state).joined(separator: "\n")
        #expect(text.contains("5 nodes: 4 ok · 1 waiting"), "\(text)")
        #expect(text.contains("▶ pi-[1-2,10] (ok, exit 0)"), "\(text)")
        #expect(text.contains("    Linux 6.1") && text.contains("  pi-3 (ok, exit 0)"), "\(text)")
        #expect(text.contains("still waiting (not connected): pi-4"), "\(text)")
        #expect(text.contains("Tab: pi-1 (1 of 3)"), "\(text)")

        Fixtures.press(&state, .tab, .tab)
        #expect(lines(state).joined().contains("Tab: pi-10 (3 of 3)"))
        Fixtures.press(&state, .enter)
        #expect(state.mode == .viewer(OutputViewer(messageID: "019ab3c0-0000-7000-8000-000000000a12")))
    }

    @Test func jAndKMoveBetweenGroupsAndEscGoesBack() {
        var state = Self.state()
        Fixtures.press(&state, .char("2"), .char("g"), .enter, .char("j"))
        #expect(lines(state).joined(separator: "\n").contains("▶ pi-3 (ok, exit 0)"))
        Fixtures.press(&state, .char("j"), .char("j"), .escape)
        #expect(state.mode == .normal)
        // With a filter each message is a row of its own again.
        Fixtures.press(&state, .char("/"))
        Fixtures.type(&state, "pi-")
        #expect(state.visibleMessages.contains { $0.id == "019ab3c0-0000-7000-8000-000000000a11" })
    }
}
