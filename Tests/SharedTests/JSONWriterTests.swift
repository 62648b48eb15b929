import FoundationEssentials
import Glibc
import Testing

@testable import Shared

/// The hand-built JSON lines (journal, audit, replies) are byte for byte what `JSONLines.encoder` writes.
struct JSONWriterTests {
    /// Every control character, the characters JSON escapes, slashes, and text beyond ASCII.
    static let awkward: [String] = [
        "", "plain", "quote \" and backslash \\ and slash / //", "line\nfeed\r\ttab\u{8}back\u{c}feed",
        String((0..<32).map { Character(Unicode.Scalar(UInt8($0))) }), "del \u{7f}", "é ü ß 日本 🚢 \u{2028}\u{2029}",
        "\u{0}nul in the middle\u{1f}", "</script>",
    ]

    private func encoder<T: Encodable>(_ value: T) throws -> [UInt8] { Array(try JSONLines.encoder.encode(value)) }

    @Test(arguments: [Int.min, -10, -1, 0, 7, 10, 99, 1_000_000_007, Int.max])
    func anIntegerIsWrittenAsTheEncoderWritesIt(value: Int) throws {
        let entry = Journal.Entry(time: Timestamp(millisecondsSinceEpoch: 0), event: .attempt, id: "m", attempt: value)
        var line = JSONWriter(capacity: 64)
        entry.write(to: &line)
        #expect(line.bytes == (try encoder(entry)))
        let reply = Reply(id: "m", fromNode: "n", status: .error, exitCode: Int32(clamping: value))
        #expect(reply.encoded() == (try encoder(reply)))
        var writer = JSONWriter(capacity: 8)
        writer.int(UInt64.max)
        #expect(writer.bytes == Array("18446744073709551615".utf8))
    }

    @Test(arguments: awkward) func aReplyIsWrittenAsTheEncoderWritesIt(text: String) throws {
        var reply = Reply(
            id: "0193-\(text)", fromNode: "edge/1", status: .error, exitCode: -3, stdout: text, stderr: text + "!",
            truncated: true, startedAt: Timestamp(millisecondsSinceEpoch: 1_764_492_000_007),
            finishedAt: Timestamp(millisecondsSinceEpoch: -1_500), error: text)
        reply.signedBy = "key+/="
        reply.signature = "sig"
        #expect(reply.encoded() == (try encoder(reply)))
        let bare = Reply(id: "m", fromNode: "n", status: .ok)
        #expect(bare.encoded() == (try encoder(bare)))
    }

    @Test(arguments: [0.001, 0.1, 1, 30, 2.5, 1e-7, 123_456_789.125, 1e21, 86_400 * 365.25, 0, -0.0, -30,
        999_999_999_999_999, 1e15, -1e15 + 1])
    func aMessageIsWrittenAsTheEncoderWritesIt(seconds: Double) throws {
        // Built as is, not accepted: past the limits `accepted` checks, the writer must still agree.
        var message = Message(
            id: "0193a", toNode: "edge", fromNode: "central", messageType: .commandACK, method: .cliCommand,
            methodArgs: ["sh", "-c", "echo \"a/b\"\n"], data: "x\u{1}y", dataEncoding: "base64", ackTimeout: seconds,
            retries: 3, retryWait: seconds, methodTimeout: seconds, ttl: seconds, replyMethod: .log,
            createdAt: Timestamp(millisecondsSinceEpoch: 1_764_492_000_123))
        message.sequential = true
        // Set by a receiver once the headers' signature checked out: never part of the JSON.
        message.signedBy = "k"
        #expect(message.encoded() == (try encoder(message)))
        #expect(!message.json.contains("signedBy"))
        let bare = Message(toNodes: ["a", "b"], method: .ping)
        #expect(bare.encoded() == (try encoder(bare)))
    }

    @Test func journalLinesAreWhatTheEncoderWrites() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/journal.jsonl"
            let journal = try Journal(path: path)
            let message = try Message(toNode: "edge", method: .cliCommand, methodArgs: ["echo", "hi \"there\""])
                .accepted(from: "central", defaults: .standard).first!
            let time = Timestamp(millisecondsSinceEpoch: 1_764_492_000_999)
            let entries = [
                Journal.Entry(time: time, event: .accepted, id: message.id!, node: "edge", method: "cliCommand", message: message),
                Journal.Entry(time: time, event: .attempt, id: message.id!, node: "edge", attempt: 2),
                Journal.Entry(time: time, event: .acked, id: message.id!, node: "edge", attempt: 2,
                    reply: Reply(id: message.id!, fromNode: "edge", status: .ok, exitCode: 0, stdout: "hi\n"), reason: "fine"),
                Journal.Entry(time: time, event: .received, id: "x", node: nil, method: "log"),
            ]
            journal.append(Array(entries[0..<2]))
            journal.append(Array(entries[2...]))
            journal.flush()
            let expected = try entries.flatMap { try encoder($0) + [UInt8(ascii: "\n")] }
            #expect(try FileSystem.read(path) == expected)
            #expect(journal.entries() == entries)
        }
    }

    @Test func auditLinesAreWhatTheEncoderWroteAndTheFileIsPrivate() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/audit.jsonl"
            let audit = AuditLog(path: path)
            var message = try Message(toNode: "edge", method: .cliCommand, methodArgs: ["ls", "/tmp"])
                .accepted(from: "central", defaults: .standard)[0]
            message.signedBy = "key"
            audit.record(message, reply: Reply(id: message.id!, fromNode: "edge", status: .ok, exitCode: 2))
            audit.record(message, reply: Reply(id: message.id!, fromNode: "edge", status: .error, error: "no \"ls\""))
            audit.record(Message(id: "p", toNode: "edge", fromNode: "central", method: .ping), reply: Reply(id: "p", fromNode: "edge", status: .ok))

            let lines = try FileSystem.read(path).split(separator: UInt8(ascii: "\n"))
            #expect(lines.count == 2)
            struct Line: Codable {
                var time: String, id: String, fromNode: String?, signedBy: String?, method: String, methodArgs: [String]
                var status: String, exitCode: Int32?, error: String?
            }
            for line in lines {
                let decoded = try JSONDecoder().decode(Line.self, from: Data(line))
                #expect(Array(line) == (try encoder(decoded)))
                #expect(decoded.methodArgs == ["ls", "/tmp"])
                #expect(Timestamp(rfc3339: decoded.time) != nil)
            }
            #expect(String(decoding: lines[1], as: UTF8.self).contains(#""error":"no \"ls\"""#))
            var info = stat()
            #expect(stat(path, &info) == 0 && info.st_mode & 0o777 == 0o600)
        }
    }
}
