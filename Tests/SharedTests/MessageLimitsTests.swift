import Foundation
import Logging
import Shared
import Testing

/// The ``MessageLimits``: input past them is refused with an error that names the field or the input and the limit.
@Suite struct MessageLimitsTests {
    private func json(_ text: String) -> [UInt8] { Array(text.utf8) }

    private func args(_ count: Int) -> String {
        "[" + (0..<count).map { "\"a\($0)\"" }.joined(separator: ",") + "]"
    }

    @Test func aMessageOfOneMiBIsTakenAndOneByteMoreIsRefused() throws {
        let envelope = #"{"toNode":"a","method":"log","data":""}"#
        let fits = String(repeating: "x", count: MessageLimits.messageBytes - envelope.utf8.count)
        let atLimit = #"{"toNode":"a","method":"log","data":"\#(fits)"}"#
        #expect(atLimit.utf8.count == MessageLimits.messageBytes)
        #expect(try Message.decode(json(atLimit)).data?.count == fits.count)

        let error = #expect(throws: MessageError.self) {
            try Message.decode(json(#"{"toNode":"a","method":"log","data":"\#(fits)x"}"#))
        }
        #expect(error?.code == .tooLarge)
        #expect(error?.description == "message is 1048577 bytes; the limit is 1048576 bytes (1 MiB)")
    }

    @Test func methodArgsPastTheLimitAreRefusedNamingTheField() throws {
        let atLimit = try Message.decode(json(#"{"toNode":"a","method":"cliCommand","methodArgs":\#(args(1024))}"#))
        #expect(atLimit.methodArgs?.count == MessageLimits.methodArgs)

        let error = #expect(throws: MessageError.self) {
            try Message.decode(json(#"{"id":"m1","toNode":"a","method":"cliCommand","methodArgs":\#(args(1025))}"#))
        }
        #expect(error?.field == "methodArgs")
        #expect(error?.description == "message m1: field `methodArgs` has 1025 entries; the limit is 1024")
    }

    @Test func aMessageBuiltInCodeMeetsTheSameLimitsWhenAccepted() throws {
        let manyArgs = Message(toNode: "a", method: .cliCommand, methodArgs: Array(repeating: "x", count: 1025))
        let argsError = #expect(throws: MessageError.self) {
            try manyArgs.accepted(from: "central", defaults: .standard)
        }
        #expect(argsError?.field == "methodArgs")

        let big = Message(toNode: "a", method: .log, data: String(repeating: "x", count: MessageLimits.messageBytes))
        let sizeError = #expect(throws: MessageError.self) { try big.accepted(from: "central", defaults: .standard) }
        #expect(sizeError?.code == .tooLarge)
        #expect(sizeError?.description.contains("the limit is 1048576 bytes (1 MiB)") == true)

        var longTTL = DeliveryDefaults.standard
        longTTL.ttl = 1e30
        let ttlError = #expect(throws: MessageError.self) {
            try Message(toNode: "a", method: .ping).accepted(from: "central", defaults: longTTL)
        }
        #expect(ttlError?.field == "ttl")
    }

    @Test(arguments: ["ackTimeout", "retryWait", "methodTimeout", "ttl"])
    func secondsPastTenYearsAreRefused(_ field: String) throws {
        let tenYears = try Message.decode(json(#"{"toNode":"a","method":"ping","\#(field)":315360000}"#))
        #expect(tenYears.encoded().isEmpty == false)
        let error = #expect(throws: MessageError.self) {
            try Message.decode(json(#"{"toNode":"a","method":"ping","\#(field)":315360001}"#))
        }
        #expect(error?.field == field)
        #expect(error?.description == "field `\(field)` must be at most 315360000 seconds (10 years), got 315360001")
    }

    @Test func toNodesPastTheLimitAreRefused() throws {
        let names = "[" + (0...MessageLimits.destinations).map { "\"n\($0)\"" }.joined(separator: ",") + "]"
        let error = #expect(throws: MessageError.self) {
            try Message.decode(json(#"{"toNodes":\#(names),"method":"ping"}"#))
        }
        #expect(error?.field == "toNodes")
        #expect(error?.description == "field `toNodes` has 10001 entries; the limit is 10000")
    }

    @Test func aBatchOfMoreThanTenThousandMessagesIsRefused() throws {
        let one = #"{"toNode":"a","method":"ping"}"#
        let atLimit = "[" + Array(repeating: one, count: MessageLimits.batchMessages).joined(separator: ",") + "]"
        #expect(try Message.decodeBatch(json(atLimit)).count == MessageLimits.batchMessages)

        let over = "[" + Array(repeating: one, count: MessageLimits.batchMessages + 1).joined(separator: ",") + "]"
        let error = #expect(throws: MessageError.self) { try Message.decodeBatch(json(over)) }
        #expect(error?.description == "input holds 10001 messages; the limit is 10000 per input file")
    }

    @Test func aMessageInABatchPastOneMiBIsRefusedByItsIndex() throws {
        let big = String(repeating: "x", count: MessageLimits.messageBytes)
        let batch = #"[{"toNode":"a","method":"ping"},{"toNode":"a","method":"log","data":"\#(big)"}]"#
        let error = #expect(throws: MessageError.self) { try Message.decodeBatch(json(batch)) }
        #expect(error?.description.hasPrefix("item 1: message is ") == true)

        let single = #"{"toNode":"a","method":"log","data":"\#(big)"}"#
        #expect(throws: MessageError.self) { try Message.decodeBatch(json(single)) }
    }

    /// Inputs refused at the same moment (the socket serves clients at once) are each kept, with their own reason:
    /// none takes another's name in `rejected/`.
    @Test func inputsRefusedAtOnceAreEachKeptWithTheirReason() throws {
        try withIntake { intake in
            let count = 200
            DispatchQueue.concurrentPerform(iterations: count) { index in
                _ = intake.take(bytes: Array("{\"bad\":\(index)x}".utf8), shownAs: "socket", keepName: "socket.json")
            }
            let kept = try FileManager.default.contentsOfDirectory(atPath: intake.rejectedDirectory)
            let inputs = kept.filter { $0.hasSuffix("socket.json") }
            #expect(inputs.count == count)
            #expect(kept.filter { $0.hasSuffix("socket.json.error") }.count == count)
            let contents = try Set(inputs.map { try String(contentsOfFile: intake.rejectedDirectory + "/" + $0, encoding: .utf8) })
            #expect(contents == Set((0..<count).map { "{\"bad\":\($0)x}" }))
        }
    }

    @Test func anInputFilePastSixteenMiBIsRejectedUnreadNamingTheFile() throws {
        try withIntake { intake in
            // Sparse: 16 MiB and one byte long, without writing 16 MiB.
            #expect(FileManager.default.createFile(atPath: intake.inmsgPath, contents: Data("[".utf8)))
            try FileHandle(forWritingAtPath: intake.inmsgPath).map { file in
                try file.truncate(atOffset: UInt64(MessageLimits.batchBytes + 1))
                try file.close()
            }

            let result = intake.takeInmsg()
            guard case .failure(let error) = result else {
                Issue.record("an oversized inmsg.txt was accepted")
                return
            }
            #expect(error.code == .tooLarge)
            #expect(
                error.description
                    == "\(intake.inmsgPath): input is 16777217 bytes; the limit is 16777216 bytes (16 MiB) per file")
            let kept = try FileManager.default.contentsOfDirectory(atPath: intake.rejectedDirectory)
            #expect(kept.contains { $0.hasSuffix("inmsg.txt") }, "\(kept)")
            #expect(kept.contains { $0.hasSuffix("inmsg.txt.error") }, "\(kept)")
        }
    }

    /// An intake on a data directory of its own, prepared, accepting nothing; the directory is removed after.
    private func withIntake(_ body: (InputIntake) throws -> Void) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("intake-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let intake = InputIntake(
            dataDirectory: directory, node: "central",
            errors: ErrorReporter(node: "central", centralNode: "central", dataDirectory: directory,
                logger: Logger(label: "test")),
            accept: { _ in [] })
        try intake.prepare()
        try body(intake)
    }
}
