import Foundation
import Shared
import Testing

/// Signed messages end to end: an agent that trusts the central node's key runs only what that key signed.
@Suite(.serialized)
struct TrustTests {
    /// A message from "central" to "edge", accepted (every field filled in) but not signed.
    private func draft(_ arguments: [String], ttl: Double? = nil) throws -> Message {
        try Message(toNode: "edge", method: .cliCommand, methodArgs: arguments, ttl: ttl)
            .accepted(from: "central", defaults: .standard)[0]
    }

    /// Publishes `message` straight onto NATS, as anyone who can reach the server could, and returns the answer.
    private func publish(_ message: Message, server: String) async throws -> Reply {
        let connection = try await NATSConnection.connect(NATSConfiguration(servers: [server]))
        defer { Task { await connection.close() } }
        let answer = try await connection.request(
            try #require(message.subject).description, payload: message.encoded(), timeout: .seconds(10))
        return try Reply.decode(answer.payload)
    }

    @Test func anAgentTrustingTheCentralKeyRunsOnlyWhatThatKeySigned() async throws {
        try await withNATSServerAndDirectory { server, directory in
            try await trustScenario(server: server, directory: directory)
        }
    }

    private func trustScenario(server: String, directory: String) async throws {
        let central = AgentProcess.central(server: server, directory: directory)
        try FileManager.default.createDirectory(atPath: central.dataDirectory, withIntermediateDirectories: true)
        let keys = try await runProgram(Binaries.bosun, ["keys", "show", "--data-dir", central.dataDirectory])
        let centralKey = keys.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(NodeKey.isPublicKey(centralKey))
        defer { central.stop() }
        try await central.start()
        let agent = AgentProcess(node: "edge", server: server, dataDirectory: directory + "/edge")
        defer { agent.stop() }
        try await agent.start(extraArguments: ["--trust", centralKey])
        let marker = directory + "/ran.txt"

        // Signed by the central node: runs.
        try central.write(inmsg: #"{"toNode":"edge","method":"cliCommand","methodArgs":["sh","-c","echo signed >> \#(marker)"]}"#)
        #expect(await eventually { (try? await central.messages().first?["state"] as? String) == "acked" })

        // Unsigned, straight onto NATS: refused, nothing run.
        let unsigned = try await publish(try draft(["sh", "-c", "echo unsigned >> \(marker)"]), server: server)
        #expect(unsigned.status == .rejected)
        #expect(unsigned.error?.contains("unsigned") == true)

        // Signed by a key the agent does not trust: refused.
        let stranger = NodeKey()
        let foreign = try await publish(stranger.sign(try draft(["sh", "-c", "echo stranger >> \(marker)"])), server: server)
        #expect(foreign.status == .rejected)
        #expect(foreign.error?.contains("does not trust") == true)

        // A message the central node signed, altered in flight (its argument changed): refused.
        let journal = try #require(Journal(path: central.dataDirectory + "/journal.jsonl").entries().first { $0.event == .accepted })
        var altered = try #require(journal.message)
        #expect(altered.hasValidSignature)
        altered.methodArgs = ["sh", "-c", "echo altered >> \(marker)"]
        altered.id = MessageID.make()
        let tampered = try await publish(altered, server: server)
        #expect(tampered.status == .rejected)
        #expect(tampered.error?.contains("signature does not match") == true)

        // The same signed message sent again (a replay): the stored answer, not a second run.
        let original = try #require(journal.message)
        let replayed = try await publish(original, server: server)
        #expect(replayed.status == .ok)
        #expect(replayed.id == original.id)

        // Only the signed command ever ran, once; the refusals are at the central error handler.
        #expect(try String(contentsOfFile: marker, encoding: .utf8) == "signed\n")
        let reported = await eventually {
            let errors = (try? await runProgram(Binaries.bosun, ["errors", "--json", "--data-dir", central.dataDirectory]).stdout) ?? ""
            return errors.contains("unsigned") && errors.contains("does not trust") && errors.contains("signature does not match")
        }
        #expect(reported)
        // The agent's answers are signed by its own key, which the central node pinned from its hello.
        #expect(replayed.hasValidSignature)
    }

    @Test func theACLNarrowsCommandsReloadsOnSIGHUPKeepsTheOldOneWhenBrokenAndEveryRunIsAudited() async throws {
        try await withCentral { server, directory, central in
            try await accessListScenario(server: server.url, directory: directory, central: central)
        }
    }

    private func accessListScenario(server: String, directory: String, central: AgentProcess) async throws {
        let (agent, acl) = try await startEdge(
            trusting: central, directory: directory, server: server,
            acl: #"{"rules": [{"who": ["central"], "methods": ["cliCommand"], "commands": [["echo", "*"]]}]}"#)
        defer { agent.stop() }
        try await checkACL(central: central, agent: agent, acl: acl)
    }

    private func send(_ argv: [String], from central: AgentProcess) async throws -> [String: String] {
        let before = try await central.messages().count
        let args = String(decoding: try JSONSerialization.data(withJSONObject: argv), as: UTF8.self)
        try central.write(inmsg: #"{"toNode":"edge","method":"cliCommand","methodArgs":\#(args)}"#)
        _ = await eventually {
            let messages = (try? await central.messages()) ?? []
            return messages.count == before + 1 && ["acked", "rejected"].contains(messages.first?["state"] as? String)
        }
        return try await central.newestReply()
    }

    private func checkACL(central: AgentProcess, agent: AgentProcess, acl: String) async throws {
        #expect(try await send(["echo", "allowed"], from: central)["stdout"] == "allowed\n")
        let refused = try await send(["uname", "-a"], from: central)
        #expect(refused["status"] == "rejected")
        #expect(refused["error"]?.contains("the ACL does not let central run uname -a") == true)

        // Edited, then SIGHUP: uname is allowed from now on.
        try #"{"rules": [{"who": ["central"], "methods": ["cliCommand"], "commands": [["echo", "*"], ["uname", "**"]]}]}"#
            .write(toFile: acl, atomically: true, encoding: .utf8)
        kill(try #require(agent.child?.pid), SIGHUP)
        #expect(await eventually { agent.log.contains("ACL reloaded") })
        #expect(try await send(["uname", "-a"], from: central)["stdout"]?.hasPrefix("Linux") == true)

        // A broken file keeps the ACL in force and says so at the central error handler.
        try #"{"rules": [{"who": ["central"], "methods": "all"}]}"#.write(toFile: acl, atomically: true, encoding: .utf8)
        kill(try #require(agent.child?.pid), SIGHUP)
        let reported = await eventually {
            let errors = (try? await runProgram(Binaries.bosun, ["errors", "--json", "--data-dir", central.dataDirectory]).stdout) ?? ""
            return errors.contains("the previous ACL stays in force")
        }
        #expect(reported)
        #expect(try await send(["uname", "-r"], from: central)["status"] == "ok")
        #expect(try await send(["id"], from: central)["status"] == "rejected")

        // Every run is in the agent's audit log, with who asked; refusals are not runs.
        let audit = try String(contentsOfFile: agent.dataDirectory + "/audit.jsonl", encoding: .utf8).split(separator: "\n")
        #expect(audit.count == 3)
        #expect(audit.allSatisfy { $0.contains(#""fromNode":"central""#) && $0.contains(#""signedBy":""#) })
    }

    @Test func aCentralNodeRequiringSignaturesTakesACKsSignedByThePinnedKey() async throws {
        try await withCentral(arguments: ["--require-signatures"]) { server, directory, central in
            try await signedACKScenario(server: server.url, directory: directory, central: central)
        }
    }

    private func signedACKScenario(server: String, directory: String, central: AgentProcess) async throws {
        let agent = AgentProcess(node: "edge", server: server, dataDirectory: directory + "/edge")
        defer { agent.stop() }
        try await agent.start()
        let store = try Store(path: central.dataDirectory + "/state.db")
        #expect(await eventually { (try? store.pinnedKey(node: "edge")) != nil })
        try central.write(inmsg: #"{"toNode":"edge","method":"cliCommand","methodArgs":["echo","verified"]}"#)
        #expect(await eventually { (try? await central.messages().first?["state"] as? String) == "acked" })
        #expect(try await central.newestReply()["stdout"] == "verified\n")
        #expect(!central.log.contains("ignored:"))
        try await forgedACKScenario(server: server, central: central)
    }

    /// A node "fake" played by the test: its hello pins a key; an ACK signed by another key is ignored (the
    /// message stays unanswered and is retried); the one signed by its own key is taken.
    private func forgedACKScenario(server: String, central: AgentProcess) async throws {
        let fakeKey = NodeKey()
        let connection = try await NATSConnection.connect(NATSConfiguration(servers: [server]))
        defer { Task { await connection.close() } }
        let requests = try connection.subscribe("bosun.fake.>")
        try await connection.flush()
        let hello = Hello(version: "test", helloInterval: 60, methods: ["cliCommand"], publicKey: fakeKey.publicKey)
        let announce = fakeKey.sign(try Message(toNode: "central", method: .hello, data: String(decoding: hello.encoded(), as: UTF8.self))
            .accepted(from: "fake", defaults: .standard)[0])
        try connection.publish(try #require(announce.subject).description, payload: announce.encoded())
        let store = try Store(path: central.dataDirectory + "/state.db")
        #expect(await eventually { (try? store.pinnedKey(node: "fake")) == fakeKey.publicKey })

        try central.write(inmsg: #"{"toNode":"fake","method":"cliCommand","methodArgs":["true"],"ackTimeout":1,"retryWait":0.2}"#)
        var iterator = requests.makeAsyncIterator()
        let first = try #require(await iterator.next())
        let id = try #require(try Message.decode(first.payload).id)
        let forged = NodeKey().sign(Reply(id: id, fromNode: "fake", status: .ok, exitCode: 0, stdout: "forged"))
        try connection.publish(try #require(first.replyTo), payload: forged.encoded())
        #expect(await eventually { central.log.contains("ignored: an ACK for \(id) from fake is signed by key") })
        // The retry comes; this time the real node answers.
        let retry = try #require(await iterator.next())
        let genuine = fakeKey.sign(Reply(id: id, fromNode: "fake", status: .ok, exitCode: 0, stdout: "genuine"))
        try connection.publish(try #require(retry.replyTo), payload: genuine.encoded())
        let answered = await eventually {
            let record = try? store.outboxRecord(id: id)
            return record?.state == .acked && record?.reply?.stdout == "genuine"
        }
        #expect(answered)
    }

    @Test func theCentralNodePinsANodesKeyAndRaisesAnAlarmWhenItChanges() async throws {
        try await withCentral { server, directory, central in
            try await pinningScenario(server: server.url, directory: directory, central: central)
        }
    }

    private func pinningScenario(server: String, directory: String, central: AgentProcess) async throws {
        let first = AgentProcess(node: "edge", server: server, dataDirectory: directory + "/edge-a")
        try await first.start(extraArguments: ["--hello-interval", "0.3"])
        let store = try Store(path: central.dataDirectory + "/state.db")
        #expect(await eventually { (try? store.pinnedKey(node: "edge")) != nil })
        let pinned = try store.pinnedKey(node: "edge")
        first.stop()
        // Another machine (another key) comes up under the same name.
        let impostor = AgentProcess(node: "edge", server: server, dataDirectory: directory + "/edge-b")
        defer { impostor.stop() }
        try await impostor.start(extraArguments: ["--hello-interval", "0.3"])
        let alarmed = await eventually {
            let errors = (try? await runProgram(Binaries.bosun, ["errors", "--json", "--data-dir", central.dataDirectory]).stdout) ?? ""
            return errors.contains("not the pinned")
        }
        #expect(alarmed)
        #expect(try store.pinnedKey(node: "edge") == pinned)
    }
}
