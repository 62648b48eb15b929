import Shared
import Testing

@testable import Console

@Suite struct NavigationTests {
    @Test func nodesAreSortedDownStaleUpThenName() {
        let state = Fixtures.state()
        #expect(state.visibleNodes.map(\.name) == ["pi-barn", "pi-shed", "edge-gw-01", "pi-garage", "pi-kitchen"])
        #expect(state.selectedNode == "pi-barn")
    }

    @Test func moveClampsAtBothEnds() {
        var state = Fixtures.state()
        Fixtures.press(&state, .char("j"), .down)
        #expect(state.selectedNode == "edge-gw-01")
        Fixtures.press(&state, .char("G"), .char("j"))
        #expect(state.selectedNode == "pi-kitchen")
        Fixtures.press(&state, .char("g"), .char("k"))
        #expect(state.selectedNode == "pi-barn")
    }

    @Test func tabAndDigitsMoveFocus() {
        var state = Fixtures.state()
        Fixtures.press(&state, .tab)
        #expect(state.focus == .messages)
        Fixtures.press(&state, .backTab, .backTab)
        #expect(state.focus == .detail)
        Fixtures.press(&state, .char("1"))
        #expect(state.focus == .nodes)
    }

    @Test func enterOnNodeShowsItsMessagesAndEnterOnMessageOpensViewer() {
        var state = Fixtures.state()
        Fixtures.press(&state, .char("j"), .char("j"), .char("j"), .enter)  // pi-garage
        #expect(state.focus == .messages)
        #expect(state.visibleMessages.map { $0.message.toNode } == ["pi-garage", "pi-garage"])
        Fixtures.press(&state, .char("j"), .enter)
        #expect(state.mode == .viewer(OutputViewer(messageID: Fixtures.messages[3].id)))
        Fixtures.press(&state, .escape, .escape)
        #expect(state.showAllMessages)
        #expect(state.focus == .nodes)
    }

    @Test func filterBySubstringStateAndGlob() {
        var state = Fixtures.state()
        Fixtures.press(&state, .char("/"))
        Fixtures.type(&state, "kit")
        #expect(state.visibleNodes.map(\.name) == ["pi-kitchen"])
        Fixtures.press(&state, .enter)
        #expect(state.mode == .normal)
        #expect(state.filters[.nodes] == "kit")
        Fixtures.press(&state, .escape)
        #expect(state.visibleNodes.count == 5)

        Fixtures.press(&state, .char("2"), .char("/"))
        Fixtures.type(&state, "state:failed")
        #expect(state.visibleMessages.map(\.state) == [.failed])
        for _ in 0..<12 { Fixtures.press(&state, .backspace) }
        Fixtures.type(&state, "node:pi-*")
        #expect(state.visibleMessages.count == 4)
        Fixtures.press(&state, .escape)
        #expect(state.filters[.messages] == nil)
    }

    @Test func spaceMarksAndTogglesAllMessages() {
        var state = Fixtures.state()
        Fixtures.press(&state, .char(" "), .char(" "))
        #expect(state.marked == ["pi-barn", "pi-shed"])
        Fixtures.press(&state, .char("k"), .char(" "))
        #expect(state.marked == ["pi-barn"])
        Fixtures.press(&state, .char("a"))
        #expect(!state.showAllMessages)
        #expect(state.visibleMessages.map { $0.message.toNode } == ["edge-gw-01"])  // Space moved down
    }

    @Test func messageActionsCheckTheState() {
        var state = Fixtures.state()
        Fixtures.press(&state, .char("2"))  // newest first: 7f3a2d sending
        #expect(Fixtures.press(&state, .char("x")) == [.cancel(Fixtures.messages[4].id)])
        Fixtures.press(&state, .char("j"))  // 7f3a2c acked
        #expect(Fixtures.press(&state, .char("r")).isEmpty)
        #expect(state.flash?.isError == true)
        #expect(Fixtures.press(&state, .char("p")) == [.replay(Fixtures.messages[3].id)])
        #expect(Fixtures.press(&state, .char("y")) == [.copy(Fixtures.messages[3].id)])
    }

    @Test func flashExpiresWithTheClock() {
        var state = Fixtures.state()
        _ = reduce(&state, .flash("hello"))
        _ = reduce(&state, .tick(Fixtures.now.adding(seconds: 1)))
        #expect(state.flash?.text == "hello")
        _ = reduce(&state, .tick(Fixtures.now.adding(seconds: 5)))
        #expect(state.flash == nil)
    }
}

@Suite struct ComposeTests {
    @Test func composeIsPrefilledWithTheSelectedNodeAndSends() {
        var state = Fixtures.state()
        Fixtures.press(&state, .char("c"))
        #expect(state.compose.text == "pi-barn ")
        Fixtures.type(&state, "cliCommand df -h")
        let actions = Fixtures.press(&state, .enter)
        #expect(actions == [.send(text: "cliCommand df -h", toNodes: ["pi-barn"])])
        #expect(state.mode == .normal)
        #expect(state.compose.isEmpty)
        #expect(state.history == ["pi-barn cliCommand df -h"])
    }

    @Test func starGoesToEveryKnownNode() {
        #expect(
            ComposeLine.parse("* ping", targets: nil, known: ["b", "a"]) == .send(text: "ping", toNodes: ["a", "b"]))
        #expect(ComposeLine.parse("* ping", targets: nil, known: []) == .invalid("no known nodes for *"))
        #expect(ComposeLine.parse("pi-a", targets: nil, known: []) == .invalid("type: node method args…"))
    }

    @Test func markedNodesTakeMethodFirstLines() {
        var state = Fixtures.state()
        Fixtures.press(&state, .char(" "), .char(" "), .char("c"))
        #expect(state.composeTargets == ["pi-barn", "pi-shed"])
        #expect(state.compose.isEmpty)
        Fixtures.type(&state, "ping")
        #expect(Fixtures.press(&state, .enter) == [.send(text: "ping", toNodes: ["pi-barn", "pi-shed"])])
        #expect(state.marked.isEmpty)
    }

    @Test func quitAsksWhenTheComposeBarHoldsText() {
        var state = Fixtures.state()
        Fixtures.press(&state, .char("c"))
        Fixtures.type(&state, "ping")
        #expect(Fixtures.press(&state, .escape, .char("q")).isEmpty)
        #expect(state.mode == .confirmQuit)
        #expect(Fixtures.press(&state, .char("n")).isEmpty)
        #expect(state.compose.text == "pi-barn ping")
        #expect(Fixtures.press(&state, .ctrl("c"), .char("y")) == [.quit])

        var empty = Fixtures.state()
        #expect(Fixtures.press(&empty, .char("q")) == [.quit])
    }

    @Test func tabCompletesNodesThenMethods() {
        var state = Fixtures.state()
        Fixtures.press(&state, .char("c"), .ctrl("u"))
        Fixtures.type(&state, "pi-k")
        Fixtures.press(&state, .tab)
        #expect(state.compose.text == "pi-kitchen ")
        Fixtures.type(&state, "cli")
        Fixtures.press(&state, .tab)
        #expect(state.compose.text == "pi-kitchen cliCommand")
        #expect(state.flash?.text == "cliCommand  cliCommandCont")
        Fixtures.press(&state, .ctrl("w"))
        Fixtures.type(&state, "fileW")
        Fixtures.press(&state, .tab)
        #expect(state.compose.text == "pi-kitchen fileWrite ")
    }

    @Test func historyGoesUpAndBackToTheDraft() {
        var state = ConsoleState(history: ["a ping", "b status"])
        Fixtures.press(&state, .char("c"))
        Fixtures.type(&state, "dra")
        Fixtures.press(&state, .up)
        #expect(state.compose.text == "b status")
        Fixtures.press(&state, .up, .up)
        #expect(state.compose.text == "a ping")
        Fixtures.press(&state, .down, .down)
        #expect(state.compose.text == "dra")
    }

    @Test(arguments: [
        ("cliCommand sh -c \"df -h | tail\"", ["cliCommand", "sh", "-c", "df -h | tail"]),
        ("a 'b c' d\\ e", ["a", "b c", "d e"]),
        ("  ", []),
    ])
    func wordsSplitLikeAShell(line: String, words: [String]) {
        #expect(CommandLineWords.split(line) == words)
    }

    @Test func colonCommandsFindMessagesByShortID() {
        var state = Fixtures.state()
        Fixtures.press(&state, .char(":"))
        Fixtures.type(&state, "retry 7f3a1c")
        #expect(Fixtures.press(&state, .enter) == [.retry(Fixtures.messages[0].id)])
        Fixtures.press(&state, .char(":"))
        Fixtures.type(&state, "cancel nope")
        #expect(Fixtures.press(&state, .enter).isEmpty)
        #expect(state.flash?.isError == true)
        Fixtures.press(&state, .char(":"))
        Fixtures.type(&state, "errors")
        Fixtures.press(&state, .enter)
        #expect(state.mode == .errors)
    }

    @Test func viewerScrollsAndSearches() {
        var state = Fixtures.state(rows: 10)
        let lines = (1...40).map { "line \($0)" }.joined(separator: "\n")
        var messages = Fixtures.messages
        messages[3].reply?.stdout = lines
        _ = reduce(&state, .snapshot(nodes: Fixtures.nodes, messages: messages, errors: []))
        state.mode = .viewer(OutputViewer(messageID: messages[3].id))
        Fixtures.press(&state, .char("j"), .char("j"))
        guard case .viewer(let scrolled) = state.mode else { Issue.record("viewer closed"); return }
        #expect(scrolled.scroll == 2)
        Fixtures.press(&state, .char("/"))
        Fixtures.type(&state, "line 30")
        Fixtures.press(&state, .enter)
        guard case .viewer(let found) = state.mode else { Issue.record("viewer closed"); return }
        #expect(found.scroll == 29)
        Fixtures.press(&state, .char("G"))
        guard case .viewer(let bottom) = state.mode else { Issue.record("viewer closed"); return }
        #expect(bottom.scroll == 41 - state.viewerHeight)  // 40 lines + the exit line
    }
}
