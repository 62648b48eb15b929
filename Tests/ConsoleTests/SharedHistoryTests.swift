import Foundation
import Shared
import Synchronization
import Testing

@testable import Console

/// `--mailbox jetstream`: the console shows, beside its own outbox, what the servers' streams keep of every
/// node's messages: another operator's sends, and answers that came while this console was away.
@Suite struct SharedHistoryTests {
    @Test func theFeedShowsOtherOperatorsMessagesAndAnswersItsOwnFromTheServers() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bosun-shared-\(UUID())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let posted = Mutex<[ConsoleEvent]>([])
        let feed = ConsoleFeed(
            store: try Store(path: directory + "/state.db"), dataDirectory: directory, isConnected: { true },
            post: { event in posted.withLock { $0.append(event) } })
        try feed.load()

        let accepted = Timestamp.now
        func record(_ id: String, to node: String, from sender: String, _ state: OutboxState, at time: Timestamp) -> OutboxRecord {
            var message = Message(toNode: node, method: .cliCommand, methodArgs: ["uptime"])
            message.id = id
            message.fromNode = sender
            message.createdAt = time
            let reply = state == .acked ? Reply(id: id, fromNode: node, status: .ok, exitCode: 0, stdout: "up\n") : nil
            return OutboxRecord(sequence: 1, message: message, state: state, reply: reply, updatedAt: time)
        }
        // This console's own message, still waiting here; the servers have its answer, and another operator's send.
        feed.recordChanged(record("mine", to: "edge", from: "central", .sending, at: accepted))
        feed.takeShared([
            record("mine", to: "edge", from: "central", .acked, at: accepted),
            record("theirs", to: "edge", from: "central-b", .acked, at: accepted.adding(seconds: 1)),
        ])
        feed.flush()
        let messages = try #require(posted.withLock { events in
            events.compactMap { event -> [OutboxRecord]? in
                if case .snapshot(_, let messages, _) = event { messages } else { nil }
            }.last
        })
        #expect(messages.map(\.id) == ["theirs", "mine"])
        #expect(messages.map(\.state) == [.acked, .acked])
        #expect(messages.last?.reply?.stdout == "up\n")
        #expect(messages.first?.message.fromNode == "central-b")
    }
}
