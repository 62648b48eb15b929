import Shared
import Testing

@testable import Console

/// The compose bar takes the targets `bosun send --to` takes, and Tab completes them.
@Suite struct ComposeTargetsTests {
    static let resolver = TargetResolver(
        known: [
            .init(name: "pi-10", labels: ["site": "barn"]), .init(name: "pi-2", labels: ["site": "barn"]),
            .init(name: "edge-gw", labels: ["site": "yard"]),
        ],
        groups: NodeGroups(members: ["gateways": ["edge-gw"]], path: "/d/groups.json"))

    @Test func theFirstWordIsATarget() {
        #expect(
            ComposeLine.parse("site=barn uptime", targets: nil, resolver: Self.resolver)
                == .send(text: "uptime", toNodes: ["pi-2", "pi-10"]))
        #expect(
            ComposeLine.parse("@gateways,pi-2 df -h", targets: nil, resolver: Self.resolver)
                == .send(text: "df -h", toNodes: ["edge-gw", "pi-2"]))
        #expect(
            ComposeLine.parse("@attic ping", targets: nil, resolver: Self.resolver)
                == .invalid("@attic: no such group in /d/groups.json (groups: gateways)"))
    }

    @Test func tabCompletesGroupsLabelsAndTheLastNodeOfAList() {
        let targets = Self.resolver.completions
        #expect(targets == ["@gateways", "site=barn", "site=yard"])
        let nodes = Self.resolver.known.map(\.name)
        #expect(Completion.complete("@g", nodesMarked: false, nodes: nodes, targets: targets).line == "@gateways ")
        #expect(Completion.complete("site=y", nodesMarked: false, nodes: nodes, targets: targets).line == "site=yard ")
        #expect(
            Completion.complete("edge-gw,pi-1", nodesMarked: false, nodes: nodes, targets: targets).line
                == "edge-gw,pi-10 ")
        let several = Completion.complete("pi-", nodesMarked: false, nodes: nodes, targets: targets)
        #expect(several.candidates == ["pi-2", "pi-10"])
    }
}
