import Shared
import Testing

@testable import Console

@Suite struct RenderTests {
    private func lines(_ state: ConsoleState) -> [String] {
        render(state, cols: state.cols, rows: state.rows).text.split(separator: "\n", omittingEmptySubsequences: false)
            .map(String.init)
    }

    @Test func wideScreenShowsEveryPaneAndColumn() {
        let text = lines(Fixtures.state(cols: 120, rows: 40))
        #expect(text.count == 40)
        #expect(text[0].hasPrefix(" bosun  nats://hub.lan:4222 ● connected    5 nodes: 3 up · 1 stale · 1 down"))
        #expect(text[0].hasSuffix("08:42:31"))
        #expect(text[2].contains("NAME") && text[2].contains("VERSION") && text[2].contains("TRY"))
        #expect(text[3].hasPrefix("│▶ pi-barn ") && text[3].contains("○ down    6m 0.3.9"))
        #expect(text[4].contains("◐ stale  19s"))
        #expect(text[3].contains("│▶ 7f3a2d pi-garage") && text[3].contains("… sending      1   3s│"))
        #expect(text[7].contains("7f3a1c pi-barn") && text[7].contains("✗ failed       5   9m"))
        #expect(text.contains { $0.hasPrefix("┌ [3] Detail · pi-barn") })
        #expect(text.contains { $0.contains("7f3a1c cliCommand uptime  ✗ failed  failed after 5 attempts") })
        #expect(text[37] == " > c compose")
        #expect(text[39].hasPrefix(" ? help  : command  / filter"))
    }

    @Test func narrowerDropsVersionAndTry() {
        let text = lines(Fixtures.state(cols: 90, rows: 30))
        #expect(text[2].contains("PEND") && !text[2].contains("VERSION") && !text[2].contains("TRY"))
        #expect(text[1].contains("[1] Nodes") && text[1].contains("[2] Messages"))
        #expect(text[3].contains("… sending      3s│"))
    }

    @Test func belowEightyByTwentyFourShowsOnePaneAtATime() {
        var state = Fixtures.state(cols: 70, rows: 20)
        var text = lines(state)
        #expect(text[1].hasPrefix("┌ [1] Nodes (5)") && text[1].contains("Tab: next pane"))
        #expect(!text.joined().contains("Messages"))
        Fixtures.press(&state, .tab)
        text = lines(state)
        #expect(text[1].hasPrefix("┌ [2] Messages (5)"))
        #expect(!text.joined().contains("pi-kitchen"))
    }

    @Test(arguments: [(30, 8), (39, 30), (100, 9)])
    func tooSmallSaysSo(cols: Int, rows: Int) {
        #expect(render(Fixtures.state(cols: cols, rows: rows), cols: cols, rows: rows).text.hasPrefix("terminal too small\n"))
        #expect(render(Fixtures.state(), cols: cols, rows: rows).text.split(separator: "\n").count == 1)
    }

    @Test func asciiModeUsesPlainGlyphs() {
        let frame = render(Fixtures.state(cols: 120, rows: 40, ascii: true), cols: 120, rows: 40)
        let text = frame.text
        #expect(text.contains("o down") && text.contains("~ stale") && text.contains("* up"))
        #expect(text.contains("x failed") && text.contains(". queued") && text.contains("+ [1] Nodes"))
        let nonASCII = text.unicodeScalars.filter { !$0.isASCII }
        #expect(nonASCII.isEmpty, "non-ASCII: \(String(String.UnicodeScalarView(nonASCII)))")
    }

    @Test func cjkNamesKeepColumnsAligned() {
        var state = Fixtures.state(cols: 120, rows: 40)
        var nodes = Fixtures.nodes
        nodes.append(Fixtures.node("树莓派-客厅", seenAgo: 1))
        _ = reduce(&state, .snapshot(nodes: nodes, messages: Fixtures.messages, errors: []))
        let frame = render(state, cols: 120, rows: 40)
        var stateColumns: Set<Int> = []
        var sawCJK = false
        for y in 3...8 {
            let row = Array(frame.row(y))
            if row.contains(where: { $0.character == "树" }) { sawCJK = true }
            if let x = row.firstIndex(where: { "●◐○".contains($0.character) }) { stateColumns.insert(x) }
        }
        #expect(sawCJK)
        #expect(stateColumns.count == 1, "STATE starts at columns \(stateColumns)")
        #expect(DisplayWidth.of("树莓派-客厅") == 11)
    }

    @Test(arguments: [(120, 40), (100, 30), (90, 30), (80, 24), (79, 23), (70, 20), (41, 11), (40, 10)])
    func everyRowFillsExactlyTheFrame(cols: Int, rows: Int) {
        var state = Fixtures.state(cols: cols, rows: rows)
        var nodes = Fixtures.nodes
        nodes.append(Fixtures.node("节点-" + String(repeating: "长", count: 60), seenAgo: 1))
        _ = reduce(&state, .snapshot(nodes: nodes, messages: Fixtures.messages, errors: []))
        _ = reduce(&state, .flash(String(repeating: "宽", count: 200)))
        for mode in [Mode.normal, .help, .compose, .errors, .viewer(OutputViewer(messageID: Fixtures.messages[3].id))] {
            state.mode = mode
            let frame = render(state, cols: cols, rows: rows)
            #expect(frame.cells.count == cols * rows)
            for y in 0..<rows {
                let row = Array(frame.row(y))
                #expect(row.reduce(0) { $0 + $1.width } == cols, "row \(y) in \(mode)")
                for (x, cell) in row.enumerated() where cell.width == 2 {
                    #expect(x + 1 < cols && row[x + 1].width == 0, "wide character cut at \(x),\(y)")
                }
            }
        }
    }

    @Test func composeBarShowsTargetsAndCursor() {
        var state = Fixtures.state(cols: 120, rows: 40)
        Fixtures.press(&state, .char(" "), .char(" "), .char("c"))
        Fixtures.type(&state, "ping")
        let frame = render(state, cols: 120, rows: 40)
        #expect(frame.text.split(separator: "\n")[37].hasPrefix(" > pi-barn,pi-shed → ping"))
        let cursor = Array(frame.row(37)).firstIndex { $0.style.reverse }
        #expect(cursor == DisplayWidth.of(" > pi-barn,pi-shed → ping"))
    }

    @Test func relativeAges() {
        #expect(TimeText.duration(3) == "3s")
        #expect(TimeText.duration(360) == "6m")
        #expect(TimeText.duration(2 * 86400 + 5) == "2d")
        #expect(TimeText.age(from: nil, to: Fixtures.now) == "-")
    }
}
