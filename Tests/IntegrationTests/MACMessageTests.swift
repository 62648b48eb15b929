import Foundation
import Shared
import Synchronization
import Testing

/// Once a node said it takes them (header `Bosun-Mac-Messages` on its ACKs), the central node sends it messages
/// with a MAC under the key the two share instead of a signature; the node checks the MAC before it reads a byte
/// and runs them as signed ones. A MAC the node cannot check is refused, saying why; a node whose key changed
/// behind the central's back refuses it too, and the central sends the message again, signed. Real nats-server,
/// real processes.
@Suite(.serialized)
struct MACMessageTests {
    /// The commands to `edge` as they went by, in order.
    private final class Watcher: Sendable {
        private final class Seen: Sendable {
            let messages = Mutex<[NATSMessage]>([])
        }

        private let seen = Seen()
        private let task: Task<Void, Never>

        init(_ subscription: NATSSubscription) {
            task = Task { [seen] in
                for await message in subscription where message.subject.hasPrefix("bosun.edge.cliCommand.") {
                    seen.messages.withLock { $0.append(message) }
                }
            }
        }

        deinit { task.cancel() }

        var messages: [NATSMessage] { seen.messages.withLock { $0 } }

        /// Whether each command went with a MAC (true) or a signature (false), by its `methodArgs`' last word.
        func authentication() throws -> [(word: String, isMAC: Bool)] {
            try messages.map { message in
                (try Message.decode(message.payload).methodArgs?.last ?? "", message.signature?.isMAC ?? false)
            }
        }
    }

    private func send(_ word: String, _ server: NATSServer, _ central: AgentProcess) async throws -> RunResult {
        try await bosun(["send", "--to", "edge", "--", "echo", word], server: server.url, dataDirectory: central.dataDirectory)
    }

    /// Two commands answered (the central's lane learns that edge takes MACs and batches), then edge comes back with
    /// a new key (its old one endorses it): the central's lane, open all along, still has the old key on record and
    /// makes the next MAC for it. Returns the central's store, which has the new key.
    @discardableResult
    private func answerTwoThenRotate(_ server: NATSServer, _ central: AgentProcess, _ agent: AgentProcess) async throws -> Store {
        for word in ["one", "two"] {
            let sent = try await send(word, server, central)
            #expect(sent.status == 0 && sent.stdout == word + "\n", "\(sent.stderr)")
        }
        let store = try Store(path: central.dataDirectory + "/state.db")
        agent.stop()
        try await agent.start(extraArguments: ["--rotate-key"])
        let new = try NodeKey.load(path: agent.dataDirectory + "/node.key").publicKey
        #expect(await eventually { (try? store.pinnedKey(node: "edge")) == new })
        return store
    }

    @Test func afterItsFirstACKANodeGetsMessagesWithAMACAndRunsThem() async throws {
        try await withCentralAndEdge { server, _, central, agent in
            let connection = try await NATSConnection.connect(NATSConfiguration(servers: [server.url]))
            let watcher = Watcher(try connection.subscribe("bosun.edge.>"))
            try await connection.flush()
            for word in ["one", "two", "three"] {
                let sent = try await send(word, server, central)
                #expect(sent.status == 0 && sent.stdout == word + "\n", "\(sent.stderr)")
            }
            // The first signed (the central did not know yet that edge takes MACs), the others with a MAC under
            // the central's key that edge's key checks.
            #expect(try watcher.authentication().map(\.word) == ["one", "two", "three"])
            #expect(try watcher.authentication().map(\.isMAC) == [false, true, true])
            let centralKey = try TestFleet.centralKey(dataDirectory: central.dataDirectory)
            let agentKey = try NodeKey.load(path: agent.dataDirectory + "/node.key")
            for message in watcher.messages.dropFirst() {
                let mac = try #require(message.signature)
                #expect(mac.key == centralKey.publicKey && mac.offersMACAnswer)
                #expect(agentKey.verifiesMAC(mac, subject: message.subject, payload: message.payload))
                #expect(!mac.verifies(subject: message.subject, payload: message.payload))
            }

            // A MAC edge cannot check (made by a stranger for edge, under the central's name) is refused with the
            // reason; a right MAC by a key edge does not trust is refused for that.
            let command = try Message(toNode: "edge", method: .cliCommand, methodArgs: ["echo", "forged"])
                .accepted(from: "central", defaults: .standard)[0]
            let subject = try #require(command.subject).description
            let payload = command.encoded()
            let stranger = NodeKey()
            var forged = try #require(stranger.mac(subject: subject, payload: payload, for: agentKey.publicKey))
            forged.key = centralKey.publicKey
            let refused = try Reply.decode(
                try await connection.request(subject, payload: payload, signature: forged, timeout: .seconds(10)).payload)
            #expect(refused.status == .rejected && refused.error == TrustPolicy.badMAC.reason, "\(refused)")
            let untrusted = try #require(stranger.mac(subject: subject, payload: payload, for: agentKey.publicKey))
            let notTrusted = try Reply.decode(
                try await connection.request(subject, payload: payload, signature: untrusted, timeout: .seconds(10)).payload)
            #expect(notTrusted.status == .rejected && notTrusted.error?.contains("does not trust") == true, "\(notTrusted)")
            await connection.close()
        }
    }

    @Test func aMessageStoredWithoutASignatureBeforeARotationGoesUnderTheOldKey() async throws {
        try await withCentralAndEdge { server, _, central, agent in
            for word in ["one", "two"] {
                let sent = try await send(word, server, central)
                #expect(sent.status == 0 && sent.stdout == word + "\n", "\(sent.stderr)")
            }
            // edge goes away; a command for it is stored without a signature (its lane sends edge MACs), then the
            // central rotates its key. edge trusts the old key only until the rotation's message reaches it, which
            // waits behind the command: the command goes under the old key, and runs.
            agent.stop()
            try central.write(inmsg: #"{"toNode":"edge","method":"cliCommand","methodArgs":["echo","three"]}"#)
            let store = try Store(path: central.dataDirectory + "/state.db")
            #expect(await eventually {
                ((try? store.outboxRecords(method: .cliCommand, limit: 10)) ?? []).contains { $0.message.methodArgs?.last == "three" }
            })
            let old = try TestFleet.centralKey(dataDirectory: central.dataDirectory)
            let rotated = try await bosun(["keys", "rotate"], server: server.url, dataDirectory: central.dataDirectory)
            #expect(rotated.status == 0, "\(rotated.stderr)")
            // edge comes back trusting the key it was set up with (the central's node.key is the new one now).
            agent.fleetTrust = false
            try await agent.start(extraArguments: ["--trust", old.publicKey])
            #expect(await eventually(timeout: .seconds(30)) {
                let three = (try? store.outboxRecords(method: .cliCommand, limit: 10))?.first { $0.message.methodArgs?.last == "three" }
                return three?.state == .acked && three?.reply?.stdout == "three\n"
            })
            let three = try store.outboxRecords(method: .cliCommand, limit: 10).first { $0.message.methodArgs?.last == "three" }
            #expect(three?.state == .acked, "\(three?.lastError ?? "")")
            // And then the new key's message: edge trusts it, and what comes after runs too.
            #expect(await eventually(timeout: .seconds(30)) {
                ((try? store.outboxRecords(method: .trustKey, limit: 10)) ?? []).allSatisfy { $0.state == .acked }
            })
            let four = try await send("four", server, central)
            #expect(four.status == 0 && four.stdout == "four\n", "\(four.stderr)")
        }
    }

    @Test func aNodeWhoseKeyChangedGetsTheMessageAgainSigned() async throws {
        try await withCentralAndEdge { server, _, central, agent in
            let connection = try await NATSConnection.connect(NATSConfiguration(servers: [server.url]))
            let watcher = Watcher(try connection.subscribe("bosun.edge.>"))
            try await connection.flush()
            try await answerTwoThenRotate(server, central, agent)
            let sent = try await send("three", server, central)
            #expect(sent.status == 0 && sent.stdout == "three\n", "\(sent.stderr)")
            // three went with the MAC edge refused, then signed; four with a MAC for the new key.
            let four = try await send("four", server, central)
            #expect(four.status == 0 && four.stdout == "four\n", "\(four.stderr)")
            let seen = try watcher.authentication()
            #expect(seen.map(\.word) == ["one", "two", "three", "three", "four"])
            #expect(seen.map(\.isMAC) == [false, true, true, false, true])

            // The old key stays beside the new one on disk. Started again (no rotation this time), edge still takes
            // no MAC made under its old key: whoever holds that key could make one in the central's name.
            agent.stop()
            try await agent.start()
            let oldKey = try NodeKey.load(path: agent.dataDirectory + "/node.key.previous")
            let centralKey = try TestFleet.centralKey(dataDirectory: central.dataDirectory)
            let command = try Message(toNode: "edge", method: .cliCommand, methodArgs: ["echo", "forged"])
                .accepted(from: "central", defaults: .standard)[0]
            let subject = try #require(command.subject).description
            let payload = command.encoded()
            var forged = try #require(oldKey.mac(subject: subject, payload: payload, for: centralKey.publicKey))
            forged.key = centralKey.publicKey
            let refused = try Reply.decode(
                try await connection.request(subject, payload: payload, signature: forged, timeout: .seconds(10)).payload)
            #expect(refused.status == .rejected && refused.error == TrustPolicy.badMAC.reason, "\(refused)")
            await connection.close()
        }
    }

    /// A batch of messages under a MAC the node can no longer check (its key changed behind the central's back) is
    /// refused whole, and the refusal says so: every message of the batch goes again at once, signed. The messages'
    /// ACK timeout is an hour: only the refusal can make them go again while the test waits.
    @Test func aNodeWhoseKeyChangedGetsABatchAgainSigned() async throws {
        try await withCentralAndEdge { server, _, central, agent in
            let connection = try await NATSConnection.connect(NATSConfiguration(servers: [server.url]))
            let batches = Mutex<[NATSMessage]>([])
            let subscription = try connection.subscribe(MessageBatch.subject(for: "edge"))
            let watching = Task { for await batch in subscription { batches.withLock { $0.append(batch) } } }
            defer { watching.cancel() }
            try await connection.flush()
            let store = try await answerTwoThenRotate(server, central, agent)

            let words = (1...6).map { "batched-\($0)" }
            func command(_ word: String) -> String {
                #"{"toNode":"edge","method":"cliCommand","methodArgs":["echo","\#(word)"],"ackTimeout":3600}"#
            }
            try central.write(inmsg: "[" + words.map(command).joined(separator: ",") + "]")
            func finished() throws -> [OutboxRecord] {
                try store.outboxRecords(node: "edge", method: .cliCommand)
                    .filter { words.contains($0.message.methodArgs?.last ?? "") && $0.state.isFinal }
            }
            #expect(await eventually(timeout: .seconds(30)) { (try? finished().count) == words.count })
            for record in try finished() {
                let word = record.message.methodArgs?.last ?? ""
                #expect(record.state == .acked && record.outcome?.stdout == word + "\n", "\(word): \(record.state) \(record.lastError ?? "")")
            }
            let refusedBatch = batches.withLock { $0 }.contains { $0.signature?.isMAC == true }
            #expect(refusedBatch, "no batch went with a MAC: the test did not test the refusal of one")
            await connection.close()
        }
    }
}
