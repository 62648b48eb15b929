import Shared

@testable import Console

/// A fixed fleet and outbox at a fixed time, so frames are the same on every run.
enum Fixtures {
    static let now = Timestamp(millisecondsSinceEpoch: 1_764_060_151_000)  // 08:42:31 UTC

    static func node(_ name: String, seenAgo: Double?, bye: Bool = false, version: String = "0.4.1") -> NodeRecord {
        let facts = #"{"version":"\#(version)","hostname":"\#(name)","os":"linux","arch":"arm64","uptime":277920}"#
        return NodeRecord(
            name: name, facts: Array(facts.utf8), lastSeen: seenAgo.map { now.adding(seconds: -$0) },
            helloInterval: 5, saidBye: bye, firstSeen: now.adding(seconds: -86400))
    }

    static let nodes = [
        node("pi-garage", seenAgo: 1), node("pi-kitchen", seenAgo: 2, version: "0.4.2"),
        node("pi-shed", seenAgo: 19), node("pi-barn", seenAgo: 360, version: "0.3.9"),
        node("edge-gw-01", seenAgo: 3),
    ]

    static func record(
        _ sequence: Int64, _ id: String, to node: String, _ method: Method, _ args: [String] = [],
        _ state: OutboxState, attempts: Int = 1, ago: Double = 12, stdout: String? = nil
    ) -> OutboxRecord {
        let message = Message(
            id: id, toNode: node, fromNode: "central", method: method, methodArgs: args,
            createdAt: now.adding(seconds: -ago))
        let reply = stdout.map { Reply(id: id, fromNode: node, status: .ok, exitCode: 0, stdout: $0) }
        return OutboxRecord(
            sequence: sequence, message: message, state: state, attempts: attempts, reply: reply,
            updatedAt: now.adding(seconds: -ago + 0.8))
    }

    static let messages = [
        record(1, "019ab3c0-0000-7000-8000-0000007f3a1c", to: "pi-barn", .cliCommand, ["uptime"], .failed, attempts: 5, ago: 540),
        record(2, "019ab3c0-0000-7000-8000-0000007f3a1e", to: "pi-barn", .cliCommand, ["df", "-h"], .queued, attempts: 0, ago: 360),
        record(3, "019ab3c0-0000-7000-8000-0000007f3a29", to: "edge-gw-01", .fileWrite, [], .sending, attempts: 2, ago: 41),
        record(4, "019ab3c0-0000-7000-8000-0000007f3a2c", to: "pi-garage", .cliCommand, ["uptime"], .acked, ago: 12,
            stdout: "14:02:20 up 3 days,  4:12,  0 users,  load average: 0.08, 0.03, 0.01\n"),
        record(5, "019ab3c0-0000-7000-8000-0000007f3a2d", to: "pi-garage", .copy, ["/etc/hosts"], .sending, ago: 3),
    ]

    static func state(cols: Int = 120, rows: Int = 40, ascii: Bool = false) -> ConsoleState {
        var state = ConsoleState(serverURL: "nats://hub.lan:4222", now: now, ascii: ascii)
        _ = reduce(&state, .resize(cols: cols, rows: rows))
        _ = reduce(&state, .connection("connected"))
        _ = reduce(&state, .snapshot(nodes: nodes, messages: messages, errors: []))
        return state
    }

    /// Applies keys in order and returns every action they produced.
    @discardableResult
    static func press(_ state: inout ConsoleState, _ keys: Key...) -> [ConsoleAction] {
        keys.flatMap { reduce(&state, .key($0)) }
    }

    static func type(_ state: inout ConsoleState, _ text: String) {
        for character in text { _ = reduce(&state, .key(.char(character))) }
    }
}
