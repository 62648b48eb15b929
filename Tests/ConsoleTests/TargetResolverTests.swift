import Shared
import Testing

@testable import Console

@Suite struct TargetResolverTests {
    static let known: [TargetResolver.Node] = [
        .init(name: "pi-10", labels: ["site": "barn", "hw": "pi4"]),
        .init(name: "pi-2", labels: ["site": "barn", "hw": "pi3"]),
        .init(name: "pi-3", labels: ["site": "kitchen"]),
        .init(name: "edge-gw", labels: [:]),
    ]

    static func resolver(_ groups: [String: [String]] = [:]) -> TargetResolver {
        TargetResolver(known: known, groups: NodeGroups(members: groups, path: "/data/groups.json"))
    }

    @Test(arguments: [
        ("pi-3", ["pi-3"]),
        ("not-seen-yet", ["not-seen-yet"]),
        ("pi-3, edge-gw,pi-3", ["edge-gw", "pi-3"]),
        ("*", ["edge-gw", "pi-2", "pi-3", "pi-10"]),
        ("site=barn", ["pi-2", "pi-10"]),
        ("site=barn,hw=pi3,edge-gw", ["edge-gw", "pi-2", "pi-10"]),
        ("@barn", ["pi-2", "pi-10", "spare"]),
        ("@everything", ["edge-gw", "pi-2", "pi-3", "pi-10", "spare"]),
    ])
    func targetsNameTheRightNodesInNaturalOrder(_ target: String, _ expected: [String]) throws {
        let resolver = Self.resolver(["barn": ["site=barn", "spare"], "everything": ["@barn", "*"]])
        #expect(try resolver.resolve(target) == expected)
    }

    @Test(arguments: [
        ("site=moon", "site=moon: no known node has the label site=moon"),
        ("@attic", "@attic: no such group in /data/groups.json (groups: barn, loop)"),
        ("@loop", "@loop: the group contains itself in /data/groups.json (loop → loop)"),
        (
            "@barn",
            "@barn in /data/groups.json: \"bad name\" is not a node name (letters, digits, - and _), @group, label=value or *"
        ),
        ("pi-1,,pi-2", "\"pi-1,,pi-2\": an empty target between commas"),
        ("site=the barn", "site=the barn: label site's value \"the barn\" must be 1 to 64 letters, digits, -, _ or ."),
        ("pi/1", "\"pi/1\" is not a node name (letters, digits, - and _), @group, label=value or *"),
    ])
    func aTargetThatNamesNobodyIsAnErrorThatSaysWhy(_ target: String, _ reason: String) {
        let resolver = Self.resolver(["barn": ["bad name"], "loop": ["@loop"]])
        #expect(throws: TargetError(reason)) { try resolver.resolve(target) }
    }

    @Test func everyNodeNeedsKnownNodes() {
        let resolver = TargetResolver(known: [], groups: NodeGroups())
        #expect(throws: TargetError("*: no known nodes yet (a node becomes known by its hello)")) {
            try resolver.resolve("*")
        }
    }

    @Test func groupsFileIsReadAndABrokenOneNamesTheFileAndTheGroup() throws {
        let groups = try NodeGroups.parse(Array(#"{"barn": ["pi-1", "site=barn"]}"#.utf8), path: "/d/groups.json")
        #expect(groups.members == ["barn": ["pi-1", "site=barn"]])
        #expect(throws: TargetError("/d/groups.json: group `barn` must be an array of targets, got \"pi-1\"")) {
            try NodeGroups.parse(Array(#"{"barn": "pi-1"}"#.utf8), path: "/d/groups.json")
        }
        #expect(throws: TargetError("/d/groups.json: group `barn`[1] must be a string, got 3")) {
            try NodeGroups.parse(Array(#"{"barn": ["pi-1", 3]}"#.utf8), path: "/d/groups.json")
        }
    }
}

@Suite struct OutcomeGroupsTests {
    static func outcome(_ node: String, _ state: OutboxState, stdout: String = "", exit: Int32 = 0, away: Bool = false)
        -> NodeOutcome
    {
        let reply =
            state == .acked
            ? Reply(id: node, fromNode: node, status: .ok, exitCode: exit, stdout: stdout) : nil
        var record = OutboxRecord(
            sequence: 1, message: Message(id: node, toNode: node, method: .cliCommand), state: state,
            attempts: 1, lastError: away ? "node \(node) is not connected (no responders)" : nil, updatedAt: .now)
        record.reply = reply
        return NodeOutcome(node: node, id: node, record: record)
    }

    @Test func identicalOutputsFoldMostCommonFirstAndWaitingNodesComeLast() {
        let outcomes =
            (1...9).map { Self.outcome("pi-\($0)", .acked, stdout: "Linux 6.1\n") }
            + [
                Self.outcome("pi-12", .acked, stdout: "Linux 6.1\n"),
                Self.outcome("edge-gw", .acked, stdout: "Linux 5.10\n"),
            ]
            + [Self.outcome("pi-13", .acked, stdout: "", exit: 3)]
            + [Self.outcome("pi-14", .queued, away: true), Self.outcome("pi-15", .queued, away: true)]
        let report = FanOutReport(operation: "op-1", outcomes: outcomes, ending: .timedOut)
        #expect(
            report.text() == """
                operation op-1: 14 nodes: 11 ok · 1 failed · 2 waiting
                ── pi-[1-9,12] (ok, exit 0)
                Linux 6.1
                ── edge-gw (ok, exit 0)
                Linux 5.10
                ── pi-13 (failed, exit 3)
                ── still waiting (not connected): pi-[14-15]

                """)
        #expect(report.exitCode == ExitStatus.tempFail)
        #expect(FanOutReport(operation: "op", outcomes: Array(outcomes.prefix(11)), ending: .settled).exitCode == nil)
        #expect(FanOutReport(operation: "op", outcomes: Array(outcomes.prefix(12)), ending: .settled).exitCode == 1)
    }
}
