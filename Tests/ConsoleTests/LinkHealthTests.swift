import Shared
import Testing

@testable import Console

@Suite struct LinkHealthTests {
    static let start = Timestamp(millisecondsSinceEpoch: 1_700_000_000_000)

    static func record(_ node: String, _ state: OutboxState, acceptedAt: Double, updatedAt: Double, attempts: Int = 1)
        -> OutboxRecord
    {
        OutboxRecord(
            sequence: 1,
            message: Message(
                id: "\(node)-\(acceptedAt)", toNode: node, method: .ping,
                createdAt: start.adding(seconds: acceptedAt)),
            state: state, attempts: attempts, updatedAt: start.adding(seconds: updatedAt))
    }

    @Test func backlogOldestWaitingMessageAndTheLatestFirstAttemptRoundTrip() {
        let health = LinkHealth.of(
            pending: [
                Self.record("pi-1", .queued, acceptedAt: 30, updatedAt: 31),
                Self.record("pi-1", .sending, acceptedAt: 10, updatedAt: 40),
            ],
            acked: [
                // Newest first: a retried one says nothing of the link; the latest first-attempt one counts.
                Self.record("pi-2", .acked, acceptedAt: 50, updatedAt: 90, attempts: 3),
                Self.record("pi-2", .acked, acceptedAt: 20, updatedAt: 20.25),
                Self.record("pi-2", .acked, acceptedAt: 5, updatedAt: 6),
            ])
        #expect(health["pi-1"] == LinkHealth(pending: 2, oldestPendingSince: Self.start.adding(seconds: 10)))
        #expect(health["pi-2"] == LinkHealth(pending: 0, roundTrip: 0.25))
    }
}

/// The console shows each node's link: RTT and RECN columns in a wide Nodes pane, a `link` line in its Detail.
@Suite struct LinkHealthColumnsTests {
    static func state(cols: Int) -> ConsoleState {
        var nodes = Fixtures.nodes
        let facts = #"{"version":"0.4.1","hostname":"pi-garage","helloInterval":5,"methods":[],"reconnects":3}"#
        nodes[0] = NodeRecord(
            name: "pi-garage", facts: Array(facts.utf8), lastSeen: Fixtures.now.adding(seconds: -1), helloInterval: 5,
            saidBye: false, firstSeen: Fixtures.now.adding(seconds: -86400))
        var state = Fixtures.state(cols: cols, rows: 40)
        _ = reduce(&state, .snapshot(nodes: nodes, messages: Fixtures.messages, errors: []))
        state.selectedNode = "pi-garage"
        return state
    }

    static func lines(_ state: ConsoleState) -> [String] {
        render(state, cols: state.cols, rows: state.rows).text.split(separator: "\n").map(String.init)
    }

    @Test func aWideNodesPaneShowsTheRoundTripAndTheReconnectsFromTheHello() throws {
        let lines = Self.lines(Self.state(cols: 120))
        let header = try #require(lines.first { $0.contains("NAME") })
        #expect(header.contains("RTT") && header.contains("RECN"))
        let garage = try #require(lines.first { $0.contains("pi-garage") && $0.contains("● up") })
        // Acked at its first attempt 0.8 s after it was accepted; the hello said 3 reconnects.
        #expect(garage.contains("800ms    3"))
        let barn = try #require(lines.first { $0.contains("pi-barn") && $0.contains("○ down") })
        #expect(barn.contains("    -    -"), "no answer and no count in its hello: \(barn)")
    }

    @Test func aNarrowerPaneDropsTheLinkColumnsButTheDetailKeepsThem() throws {
        let lines = Self.lines(Self.state(cols: 100))
        let header = try #require(lines.first { $0.contains("NAME") })
        #expect(!header.contains("RTT"))
        let link = try #require(lines.first { $0.contains("link ") })
        #expect(link.contains("round trip 800ms · 3 reconnects · 1 waiting, oldest 3s"))
    }
}
