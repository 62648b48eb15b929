import Glibc
import Shared
import Testing

/// The journal: one JSON line per event, the accepted message whole, rotation without rewriting.
struct JournalTests {
    @Test func linesComeBackInOrderAndTheAcceptedLineCarriesTheWholeMessage() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/journal.jsonl"
            let journal = try Journal(path: path)
            let message = try Message(toNode: "edge", method: .cliCommand, methodArgs: ["echo", "hi"])
                .accepted(from: "central", defaults: .standard).first!
            let id = try #require(message.id)
            journal.append(Journal.Entry(event: .accepted, id: id, node: "edge", method: "cliCommand", message: message))
            journal.append(Journal.Entry(event: .attempt, id: id, node: "edge", attempt: 1))
            journal.append(Journal.Entry(event: .acked, id: id, node: "edge", attempt: 1,
                reply: Reply(id: id, fromNode: "edge", status: .ok, stdout: "hi\n")))

            #expect(journal.entries().map(\.event) == [.accepted, .attempt, .acked])
            #expect(journal.acceptedMessage(id: id) == message)
            journal.flush()
            let lines = try FileSystem.read(path).split(separator: UInt8(ascii: "\n"))
            #expect(lines.count == 3)
            #expect(lines.allSatisfy { $0.first == UInt8(ascii: "{") && $0.last == UInt8(ascii: "}") })
        }
    }

    @Test func rotationRenamesAndKeepsOnlyTheNewestFiles() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/journal.jsonl"
            let journal = try Journal(path: path, maxBytes: 200, keep: 2)
            for index in 0..<40 {
                journal.append(Journal.Entry(event: .attempt, id: "m\(index)", node: "edge", attempt: index))
                // Written a line at a time, as appends come apart in time (a write carries whatever came meanwhile).
                journal.flush()
            }
            #expect(FileSystem.exists(path + ".1"))
            #expect(FileSystem.exists(path + ".2"))
            #expect(!FileSystem.exists(path + ".3"))
            let ids = journal.entries().map(\.id)
            // What is kept is the newest part, still oldest first, with nothing repeated.
            #expect(ids.last == "m39")
            #expect(ids == ids.sorted { Int($0.dropFirst())! < Int($1.dropFirst())! })
            #expect(Set(ids).count == ids.count)
        }
    }
}
