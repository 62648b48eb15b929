import Shared
import Testing

@testable import Console

/// The Nodes pane filters by label (`/site:barn`), and the compose bar targets labels the hellos carry.
@Suite struct NodeLabelFilterTests {
    static func node(_ name: String, labels: String?) -> NodeRecord {
        let extra = labels.map { #","labels":\#($0)"# } ?? ""
        let facts = #"{"version":"0.4.1","helloInterval":5,"methods":[]\#(extra)}"#
        return NodeRecord(
            name: name, facts: Array(facts.utf8), lastSeen: Fixtures.now, helloInterval: 5, saidBye: false,
            firstSeen: Fixtures.now)
    }

    static func state() -> ConsoleState {
        var state = Fixtures.state()
        let nodes = [
            node("pi-10", labels: #"{"site":"barn"}"#), node("pi-2", labels: #"{"site":"barn","hw":"pi4"}"#),
            node("pi-3", labels: #"{"site":"kitchen"}"#), node("edge-gw", labels: nil),
        ]
        _ = reduce(&state, .snapshot(nodes: nodes, messages: [], errors: []))
        return state
    }

    @Test func aLabelFilterShowsTheNodesThatCarryItInNaturalOrder() {
        var state = Self.state()
        #expect(state.visibleNodes.map(\.name) == ["edge-gw", "pi-2", "pi-3", "pi-10"])
        Fixtures.press(&state, .char("/"))
        Fixtures.type(&state, "site:barn")
        #expect(state.visibleNodes.map(\.name) == ["pi-2", "pi-10"])
    }

    @Test func theComposeBarSendsToALabelFromTheHellos() {
        var state = Self.state()
        Fixtures.press(&state, .char("c"), .ctrl("u"))
        Fixtures.type(&state, "hw=pi4 uptime")
        let actions = Fixtures.press(&state, .enter)
        #expect(actions == [.send(text: "uptime", toNodes: ["pi-2"])])
    }
}
