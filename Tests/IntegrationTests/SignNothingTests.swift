import Foundation
import Shared
import Testing

/// `--insecure-sign-nothing` (hidden; the bench's engine without cryptography): a node that signs no message and no
/// answer, only beside `--insecure-accept-unsigned`.
@Suite(.serialized)
struct SignNothingTests {
    @Test func signingNothingNeedsTakingUnsignedMessages() async throws {
        try await withServerAndDirectory { server, directory in
            // Under `timeout`: an agent that started after all would keep running.
            let result = try await runProgram("/usr/bin/timeout", [
                "20", Binaries.agent,
                "--node", "edge", "--server", server, "--data-dir", directory + "/edge", "--insecure-sign-nothing",
            ])
            #expect(result.status != 0)
            #expect(result.stderr.contains("--insecure-sign-nothing needs --insecure-accept-unsigned"), "\(result.stderr)")
        }
    }

    @Test func anAgentThatSignsNothingAnswersUnsignedWhereItWouldSign() async throws {
        try await withServerAndDirectory { server, directory in
            let client = try await NATSConnection.connect(NATSConfiguration(servers: [server]))
            /// The answer of `node` to an unsigned ping.
            func answer(of node: String) async throws -> Reply {
                let ping = try Message(toNode: node, method: .ping).accepted(from: "tester", defaults: .standard)[0]
                let subject = try #require(ping.subject?.description)
                return try Reply.decode(try await client.request(subject, payload: ping.encoded(), timeout: .seconds(10)).payload)
            }
            // An agent that takes unsigned messages signs its answer to one.
            let signing = AgentProcess(node: "signing", server: server, dataDirectory: directory + "/signing")
            defer { signing.stop() }
            try await signing.start(extraArguments: ["--insecure-accept-unsigned"])
            let signed = try await answer(of: "signing")
            #expect(signed.status == .ok)
            #expect(signed.signedBy != nil && signed.signature != nil, "\(signed)")

            // One that signs nothing answers the same ping unsigned, and says so when it starts.
            let silent = AgentProcess(node: "silent", server: server, dataDirectory: directory + "/silent")
            defer { silent.stop() }
            try await silent.start(extraArguments: ["--insecure-accept-unsigned", "--insecure-sign-nothing"])
            let unsigned = try await answer(of: "silent")
            #expect(unsigned.status == .ok)
            #expect(unsigned.signedBy == nil && unsigned.signature == nil && unsigned.mac == nil, "\(unsigned)")
            #expect(silent.log.contains("INSECURE: --insecure-sign-nothing: silent signs no message and no answer"))
            await client.close()
        }
    }

    /// A node that signs nothing still takes batches of messages and answers them in one batch of ACKs, with no MAC
    /// and marked so (`Bosun-Acks: unsigned`); each single ACK says it takes batches.
    @Test(.timeLimit(.minutes(2))) func anAgentThatSignsNothingAnswersABatchInOneUnsignedBatch() async throws {
        try await withServerAndDirectory { server, directory in
            let silent = AgentProcess(node: "silent", server: server, dataDirectory: directory + "/silent")
            defer { silent.stop() }
            try await silent.start(extraArguments: ["--insecure-accept-unsigned", "--insecure-sign-nothing"])
            let client = try await NATSConnection.connect(NATSConfiguration(servers: [server]))
            let answers = try client.subscribe("_INBOX.unsigned.>")
            var arriving = answers.makeAsyncIterator()
            try await client.flush()
            let pings = try (1...3).map { _ in try Message(toNode: "silent", method: .ping).accepted(from: "tester", defaults: .standard)[0] }

            try client.publish(try #require(pings[0].subject?.description), payload: pings[0].encoded(), replyTo: "_INBOX.unsigned.0.1")
            let single = try #require(await arriving.next())
            #expect(single.speaksBatches && !single.isUnsignedReplyBatch && single.signature == nil)
            #expect(try Reply.decode(single.payload).id == pings[0].id)

            // Three pings and, last, a message that is no JSON: refused before its id is known, it is answered in a
            // batch of ACKs naming its token too (alone it would be taken for the first message, whose reply subject
            // the batch has).
            let items = try pings.enumerated().map { index, ping in
                MessageBatch.Item(subject: try #require(ping.subject).description, token: "\(index + 7)", payload: ping.encoded())
            } + [MessageBatch.Item(subject: "bosun.silent.ping.CommandACK", token: "10", payload: Array("not json".utf8))]
            try client.publish(MessageBatch.subject(for: "silent"), payload: MessageBatch(items: items).encoded(),
                replyTo: "_INBOX.unsigned.0.7")
            var entries: [String: Reply] = [:]
            while entries.count < 4, let batch = await arriving.next() {
                #expect(batch.subject == "_INBOX.unsigned.0.7")
                #expect(batch.isUnsignedReplyBatch && batch.batchAuthentication == nil && batch.signature == nil)
                for entry in try ReplyBatch.decode(batch.payload).entries { entries[entry.to] = entry.reply }
            }
            #expect(["7", "8", "9"].compactMap { entries[$0]?.id } == pings.map(\.id))
            #expect(["7", "8", "9"].allSatisfy { entries[$0]?.status == .ok })
            #expect(entries["10"]?.status == .rejected && entries["10"]?.error?.contains("malformed message") == true,
                "\(String(describing: entries["10"]))")
            answers.unsubscribe()
            await client.close()
        }
    }

    /// Two nodes that sign nothing: a burst goes in batches of messages, is answered in unsigned batches of ACKs,
    /// and each message is acked on its first attempt (a batch the sender did not take would be sent again).
    @Test(.timeLimit(.minutes(2))) func aBurstBetweenNodesThatSignNothingGoesInBatchesAndIsTakenOnce() async throws {
        try await withServerAndDirectory { server, directory in
            let unsigned = ["--insecure-accept-unsigned", "--insecure-sign-nothing"]
            let silent = AgentProcess(node: "silent", server: server, dataDirectory: directory + "/silent")
            let sender = AgentProcess(node: "sender", server: server, dataDirectory: directory + "/sender")
            defer {
                silent.stop()
                sender.stop()
            }
            try await silent.start(extraArguments: unsigned)
            try await sender.start(extraArguments: unsigned)
            let watcher = try await NATSConnection.connect(NATSConfiguration(servers: [server]))
            let batches = try watcher.subscribe(MessageBatch.subject(for: "silent"))
            let answers = try watcher.subscribe("_INBOX.sender.>")
            try await watcher.flush()
            let count = 600
            let events = (0..<count).map { _ in #"{"toNode":"silent","method":"ping","messageType":"EventACK"}"# }
            try sender.write(inmsg: "[" + events.joined(separator: ",") + "]")
            #expect(await eventually(timeout: .seconds(60)) { sender.journalIDs("acked").count == count })
            let sent = Set(sender.journalIDs("accepted"))
            #expect(sent.count == count)
            #expect(sender.journalIDs("attempt").count == count, "every event acked on its first attempt")
            batches.unsubscribe()
            answers.unsubscribe()
            var carried = 0
            for await batch in batches {
                #expect(batch.signature == nil)
                carried += try MessageBatch.decode(batch.payload).items.count
            }
            var acksInBatches = 0
            for await answer in answers where answer.isUnsignedReplyBatch {
                acksInBatches += try ReplyBatch.decode(answer.payload).entries.count
            }
            #expect(carried > count / 2, "\(carried) of \(count) events went in batches")
            #expect(acksInBatches > count / 2, "\(acksInBatches) of \(count) answers came in batches")
            await watcher.close()
        }
    }
}
