import Shared
import Testing

/// Reading an ACK: in one pass, every known field checked, unknown ones ignored.
struct ReplyTests {
    @Test func aReplyReadsBackWhatItWrote() throws {
        var reply = Reply(
            id: "m1", fromNode: "edge", status: .ok, exitCode: -1, stdout: "a\n\"b\"", stderr: "", truncated: false,
            startedAt: Timestamp(millisecondsSinceEpoch: 1_764_492_000_001),
            finishedAt: Timestamp(millisecondsSinceEpoch: 1_764_492_000_002), error: nil)
        reply.signedBy = "key"
        reply.signature = "sig"
        #expect(try Reply.decode(reply.encoded()) == reply)
    }

    @Test func fieldsANewerNodeAddsAreIgnored() throws {
        let reply = try Reply.decode(Array(#"{"id":"m1","fromNode":"edge","status":"ok","elapsedMs":12}"#.utf8))
        #expect(reply == Reply(id: "m1", fromNode: "edge", status: .ok))
    }

    @Test(arguments: [
        (#"{"fromNode":"edge","status":"ok"}"#, "id"),
        (#"{"id":"m1","fromNode":"edge","status":"done"}"#, "status"),
        (#"{"id":"m1","fromNode":"edge","status":"ok","exitCode":1.5}"#, "exitCode"),
        (#"{"id":"m1","fromNode":"edge","status":"ok","exitCode":4294967296}"#, "exitCode"),
        (#"{"id":"m1","fromNode":"edge","status":"ok","truncated":"yes"}"#, "truncated"),
        (#"{"id":"m1","fromNode":"edge","status":"ok","startedAt":"yesterday"}"#, "startedAt"),
        (#"{"id":"m1","fromNode":7,"status":"ok"}"#, "fromNode"),
    ])
    func aBadFieldIsNamed(json: String, field: String) {
        #expect {
            try Reply.decode(Array(json.utf8))
        } throws: { error in
            guard let error = error as? MessageError else { return false }
            return error.field == field && error.reason.hasPrefix("reply is not a valid ACK: ")
                && error.reason.contains("`\(field)`")
        }
    }

    @Test func notJSONIsRefusedAsSuch() {
        #expect {
            try Reply.decode(Array("{\"id\":".utf8))
        } throws: { error in
            (error as? MessageError)?.code == .invalidJSON
        }
    }
}
