import Foundation
import Shared
import Synchronization
import Testing

/// A burst of events goes out in batches of messages under one signature each and is answered in batches of ACKs
/// under one MAC each, and the sender takes them: every event acked on its first attempt. A batch is taken only
/// whole and under a key the node trusts. Real nats-server, real processes.
@Suite(.serialized)
struct AckBatchTests {
    @Test func aBurstOfEventsIsAnsweredInBatchesTheSenderTakesAtOnce() async throws {
        try await withCentralAndEdge { server, _, central, agent in
            func lines() -> [Substring] { central.logLines(from: "edge") }
            // One line first, so the central knows the node before the burst.
            try agent.write(inmsg: AgentProcess.logEvents(0..<1))
            #expect(await eventually(timeout: .seconds(30)) { lines().count == 1 })

            // Every answer to the agent, and every batch of messages to the central, as they go by.
            let watcher = try await NATSConnection.connect(NATSConfiguration(servers: [server.url]))
            let answers = try watcher.subscribe("_INBOX.>")
            let sent = try watcher.subscribe(MessageBatch.subject(for: "central"))
            try await watcher.flush()
            let batches = Mutex<[NATSMessage]>([])
            let messageBatches = Mutex<[NATSMessage]>([])
            let watching = Task {
                for await answer in answers where answer.batchAuthentication != nil {
                    batches.withLock { $0.append(answer) }
                }
            }
            let watchingSent = Task {
                for await batch in sent { messageBatches.withLock { $0.append(batch) } }
            }
            defer {
                watching.cancel()
                watchingSent.cancel()
            }

            try agent.write(inmsg: AgentProcess.logEvents(1..<2_001))
            #expect(await eventually(timeout: .seconds(60)) { agent.journalIDs("acked").count == 2_001 })
            let written = lines()
            let inOrder = written.elementsEqual((0..<2_001).lazy.map { "line \($0)" })
            #expect(written.count == 2_001)
            #expect(inOrder, "the central's log holds line 0 to line 2000 in order")
            // Each event went out once: a batch the sender did not take would have left its events to be sent
            // again after their ACK timeout.
            let burst = Set(agent.journalIDs("accepted").dropFirst())
            #expect(burst.count == 2_000)
            #expect(agent.journalIDs("attempt").filter(burst.contains).count == 2_000)
            #expect(Set(agent.journalIDs("acked")).count == 2_001)

            // The central answered in batches, each under its own key with a MAC the agent's pair key checks.
            let centralKey = try TestFleet.centralKey(dataDirectory: central.dataDirectory)
            let agentKey = try NodeKey.load(path: agent.dataDirectory + "/node.key")
            let pair = try #require(agentKey.pairKey(with: centralKey.publicKey))
            let seen = batches.withLock { $0 }
            #expect(!seen.isEmpty)
            var answered = Set<String>()
            for batch in seen {
                let authentication = try #require(batch.batchAuthentication)
                #expect(authentication.key == centralKey.publicKey)
                #expect(ReplyBatch.hasValidMAC(authentication.mac, subject: batch.subject, payload: batch.payload, key: pair))
                let entries = try ReplyBatch.decode(batch.payload).entries
                #expect(entries.count >= 2)
                #expect(entries.allSatisfy { $0.reply.status == .ok && $0.reply.fromNode == "central" })
                answered.formUnion(entries.map(\.reply.id))
            }
            #expect(answered.isSubset(of: burst))

            // The agent sent batches of messages, each signed by its key over all of it, each message as accepted.
            let carried = messageBatches.withLock { $0 }
            #expect(!carried.isEmpty)
            var inBatches = 0
            for batch in carried {
                let signature = try #require(batch.signature)
                #expect(signature.key == agentKey.publicKey && signature.offersMACAnswer && signature.offersBatchAnswer)
                #expect(signature.verifies(subject: batch.subject, payload: batch.payload))
                let items = try MessageBatch.decode(batch.payload).items
                #expect(items.count >= 2)
                for item in items {
                    let message = try Message.decode(item.payload)
                    #expect(item.subject == "bosun.central.log.EventACK" && burst.contains(message.id ?? ""))
                }
                inBatches += items.count
            }
            #expect(inBatches <= 2_000)
        }
    }

    /// A batch signed by a key the agent trusts runs each of its commands once and answers each; the same batch with
    /// one byte changed runs nothing and is counted as refused at the central node; in a batch signed by a key it
    /// does not trust, each message is judged as if it came alone (a ping is answered, a command refused).
    @Test func aBatchRunsOnlyWholeAndSignedByATrustedKey() async throws {
        try await withCentral { server, directory, central in
            let agent = AgentProcess(node: "edge", server: server.url, dataDirectory: directory + "/edge")
            defer { agent.stop() }
            try await agent.start(extraArguments: ["--refusal-interval", "1"])
            let marker = directory + "/ran.txt"
            let commands = try ["one", "two", "three"].map { word in
                try Message(toNode: "edge", method: .cliCommand, methodArgs: ["sh", "-c", "echo \(word) >> \(marker)"])
                    .accepted(from: "central", defaults: .standard)[0]
            }
            let items = try commands.enumerated().map { index, message in
                MessageBatch.Item(subject: try #require(message.subject).description, token: "\(index + 1)",
                    payload: message.encoded())
            }
            let stranger = try await NATSConnection.connect(NATSConfiguration(servers: [server.url]))
            let answers = try stranger.subscribe("_INBOX.batchtest.>")
            try await stranger.flush()
            let subject = MessageBatch.subject(for: "edge")

            // Signed by a stranger's key: the ping is answered, the command refused with the reason.
            let ping = try Message(toNode: "edge", method: .ping).accepted(from: "stranger", defaults: .standard)[0]
            let strangers = try [ping, commands[0]].enumerated().map { index, message in
                MessageBatch.Item(subject: try #require(message.subject).description, token: "\(index + 1)",
                    payload: message.encoded())
            }
            let strangersPayload = MessageBatch(items: strangers).encoded()
            let strangerKey = NodeKey()
            try stranger.publish(subject, payload: strangersPayload, replyTo: "_INBOX.batchtest.0.1",
                signature: strangerKey.signature(subject: subject, payload: strangersPayload))
            // Every answer comes on the batch's reply subject, the one a NATS user may answer on: the ping's alone
            // and signed (the stranger offered no MAC), the refusal in a batch of ACKs naming its message, under a
            // MAC for the stranger's key.
            let agentKey = try NodeKey.load(path: agent.dataDirectory + "/node.key")
            let pair = try #require(strangerKey.pairKey(with: agentKey.publicKey))
            var judged: [String: Reply] = [:]
            for await answer in answers {
                #expect(answer.subject == "_INBOX.batchtest.0.1")
                if let authentication = answer.batchAuthentication {
                    #expect(ReplyBatch.hasValidMAC(authentication.mac, subject: answer.subject, payload: answer.payload, key: pair))
                    for entry in try ReplyBatch.decode(answer.payload).entries { judged[entry.to] = entry.reply }
                } else {
                    let reply = try Reply.decode(answer.payload)
                    #expect(reply.hasValidSignature)
                    judged[reply.id == ping.id ? "1" : "?"] = reply
                }
                if judged.count == 2 { break }
            }
            #expect(judged["1"]?.status == .ok && judged["1"]?.id == ping.id)
            #expect(judged["2"]?.status == .rejected && judged["2"]?.error?.contains("which node edge does not trust") == true,
                "\(judged)")

            // Changed after it was signed: refused as a whole, nothing runs.
            let payload = MessageBatch(items: items).encoded()
            let signature = try #require(TestFleet.scratchKey.signature(subject: subject, payload: payload))
            var altered = payload
            altered[altered.count - 3] ^= 0x01
            try stranger.publish(subject, payload: altered, replyTo: "_INBOX.batchtest.1", signature: signature)
            #expect(await eventually(timeout: .seconds(30)) {
                await central.errorLog().contains("the signature does not match the message")
            })
            #expect(await central.errorLog().contains(subject))
            #expect(!FileManager.default.fileExists(atPath: marker))

            // Whole: each runs once (concurrently, as live commands do) and is answered on the batch's reply subject,
            // signed by the agent.
            try stranger.publish(subject, payload: payload, replyTo: "_INBOX.batchtest.1", signature: signature)
            var replies: [String: Reply] = [:]
            for await answer in answers {
                #expect(answer.subject == "_INBOX.batchtest.1")
                let reply = try Reply.decode(answer.payload)
                #expect(reply.hasValidSignature && reply.status == .ok, "\(reply)")
                replies[reply.id] = reply
                if replies.count == commands.count { break }
            }
            #expect(Set(replies.keys) == Set(commands.compactMap(\.id)))
            #expect(try String(contentsOfFile: marker, encoding: .utf8).split(separator: "\n").sorted() == ["one", "three", "two"])
            await stranger.close()
        }
    }

    /// Commands are answered one by one (each when it has run), but a single ACK says the node takes batches: the
    /// central's next commands to it go out in batches, and every one runs once and is answered with its output,
    /// on its first attempt, a long output too.
    @Test func commandsGoInBatchesOnceANodeSaysItTakesThem() async throws {
        try await withCentralAndEdge { server, _, central, _ in
            let watcher = try await NATSConnection.connect(NATSConfiguration(servers: [server.url]))
            let sent = try watcher.subscribe(MessageBatch.subject(for: "edge"))
            try await watcher.flush()
            let batches = Mutex<[NATSMessage]>([])
            let watching = Task {
                for await batch in sent { batches.withLock { $0.append(batch) } }
            }
            defer { watching.cancel() }
            // Every tenth prints about 9 KB: too big for a batch of ACKs, its answer goes alone on the batch's reply
            // subject and is found by its id.
            func command(_ index: Int) -> String {
                index % 10 == 5
                    ? #"{"toNode":"edge","method":"cliCommand","methodArgs":["seq","\#(index)","\#(index + 2000)"]}"#
                    : #"{"toNode":"edge","method":"cliCommand","methodArgs":["echo","command \#(index)"]}"#
            }
            func output(_ index: Int) -> String {
                index % 10 == 5 ? (index...(index + 2000)).map(String.init).joined(separator: "\n") + "\n" : "command \(index)\n"
            }
            try central.write(inmsg: "[" + command(0) + "]")
            #expect(await eventually(timeout: .seconds(30)) { central.journalIDs("acked").count == 1 })
            try central.write(inmsg: "[" + (1...60).map(command).joined(separator: ",") + "]")
            #expect(await eventually(timeout: .seconds(60)) { central.journalIDs("acked").count == 61 })

            let messages = try await central.messages()
            #expect(messages.count == 61)
            let outputs = Set(messages.compactMap { ($0["reply"] as? [String: Any])?["stdout"] as? String })
            #expect(outputs == Set((0...60).map(output)))
            #expect(central.journalIDs("attempt").count == 61)
            let carried = batches.withLock { $0 }
            #expect(!carried.isEmpty)
            #expect(try carried.allSatisfy { try MessageBatch.decode($0.payload).items.allSatisfy { $0.subject == "bosun.edge.cliCommand.CommandACK" } })
            await watcher.close()
        }
    }
}
