import Foundation
import Shared
import Testing

@testable import Console

/// The pure parts of wiring the console to the engine: what a compose line becomes, SIGTERM, snapshots, history.
@Suite struct WiringTests {
    @Test(arguments: [
        ("df -h", Method.cliCommand, ["df", "-h"]),
        ("cliCommand uptime", .cliCommand, ["uptime"]),
        ("ping", .ping, []),
        ("sh -c 'echo a b'", .cliCommand, ["sh", "-c", "echo a b"]),
    ])
    func composeTextBecomesOneDraftForEveryNode(text: String, method: Method, arguments: [String]) throws {
        let draft = try ComposeMessage.draft(text: text, toNodes: ["pi-garage", "pi-shed"])
        #expect(draft.method == method)
        #expect(draft.methodArgs == arguments)
        #expect(draft.toNodes == ["pi-garage", "pi-shed"])
        #expect(draft.toNode == nil)
    }

    @Test func composeTextThatCannotBeSentSaysWhy() {
        #expect(throws: MessageError.self) { try ComposeMessage.draft(text: "cliCommand", toNodes: ["pi-garage"]) }
        #expect(throws: MessageError.self) { try ComposeMessage.draft(text: "  ", toNodes: ["pi-garage"]) }
        #expect(throws: MessageError.self) { try ComposeMessage.draft(text: "uptime", toNodes: ["pi garage"]) }
    }

    @Test func sigtermQuitsEvenWithTextInTheComposeBar() {
        var state = Fixtures.state()
        Fixtures.press(&state, .char("c"))
        Fixtures.type(&state, "uptime")
        #expect(Fixtures.press(&state, .escape, .char("q")).isEmpty)
        #expect(reduce(&state, .terminate) == [.quit])
    }

    @Test func snapshotsAreKeptNewestFirstWithTheirPendingCounts() {
        let state = Fixtures.state()
        #expect(state.messages.map(\.sequence) == [5, 4, 3, 2, 1])
        #expect(state.pendingCount == 3)
        #expect(state.pendingByNode == ["pi-barn": 1, "edge-gw-01": 1, "pi-garage": 1])
    }

    @Test func endedMessagesAreSaidOnTheFlashLine() throws {
        var record = Fixtures.messages[3]
        record.attempts = 3
        guard case .flash(let text) = ConsoleFeed.ending(record) else {
            Issue.record("an acked message is not an error")
            return
        }
        #expect(text == "delivered 7f3a2c cliCommand uptime to pi-garage: acked after 3 attempts · exit 0")
        guard case .flashError(let failed) = ConsoleFeed.ending(Fixtures.messages[0]) else {
            Issue.record("a failed message is an error")
            return
        }
        #expect(failed.hasPrefix("7f3a1c cliCommand uptime to pi-barn failed after 5 attempts"))
    }

    @Test func historyIsKeptAcrossRunsUpToItsLimit() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bosun-history-\(UUID())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var file = HistoryFile(dataDirectory: directory)
        #expect(file.load().isEmpty)
        file.limit = 3
        file.save(["a uptime", "b df -h", "c ping", "d sh -c 'echo x'"])
        #expect(file.load() == ["b df -h", "c ping", "d sh -c 'echo x'"])
    }
}
