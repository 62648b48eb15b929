import Foundation
import Shared
import Testing

/// Safe by default, end to end: an agent runs only what a key it trusts signed, checked before a byte is decoded;
/// the central node takes a node's messages only under its approved key. Real nats-server, real processes; the
/// stranger is the test, with a NATS connection of its own.
@Suite(.serialized)
struct TrustTests {
    /// A NATS client of the stranger's: it captures what crosses the server and publishes what it likes.
    private struct Stranger {
        let connection: NATSConnection

        static func connect(_ server: String) async throws -> Stranger {
            Stranger(connection: try await NATSConnection.connect(NATSConfiguration(servers: [server])))
        }

        /// Publishes `payload` on `subject` (with `signature` in the headers, if any) and returns the answer.
        func request(_ subject: String, _ payload: [UInt8], signature: WireSignature? = nil) async throws -> Reply {
            let answer = try await connection.request(subject, payload: payload, signature: signature, timeout: .seconds(10))
            return try Reply.decode(answer.payload)
        }
    }

    /// `message`'s JSON with `text` replaced by `replacement` and a new id: what a stranger makes of a capture.
    private func altered(_ payload: [UInt8], _ text: String, _ replacement: String) throws -> [UInt8] {
        var message = try Message.decode(payload)
        message.methodArgs = message.methodArgs?.map { $0.replacingOccurrences(of: text, with: replacement) }
        message.id = MessageID.make()
        return message.encoded()
    }

    @Test func anAgentStartedWithTheDefaultsRunsNothingUnsignedAlteredOrUntrusted() async throws {
        try await withCentral { server, directory, central in
            let agent = AgentProcess(node: "edge", server: server.url, dataDirectory: directory + "/edge")
            agent.fleetTrust = false
            defer { agent.stop() }
            try await agent.start()
            #expect(agent.log.contains("edge trusts no key"))
            let stranger = try await Stranger.connect(server.url)
            let wire = try stranger.connection.subscribe("bosun.edge.>")
            try await stranger.connection.flush()
            let marker = directory + "/ran.txt"

            // The central node's own command: refused, with the fix in the answer.
            try central.write(inmsg: #"{"toNode":"edge","method":"cliCommand","methodArgs":["sh","-c","echo central >> \#(marker)"]}"#)
            #expect(await eventually { (try? await central.messages().first?["state"] as? String) == "rejected" })
            let answer = try await central.newestReply()
            #expect(answer["error"]?.contains("which node edge does not trust: if it is the central node's, start the agent with --trust") == true, "\(answer)")

            // The stranger captured it, changed it, and publishes it again: with its signature headers, without.
            var iterator = wire.makeAsyncIterator()
            let captured = try #require(await iterator.next())
            let signature = try #require(captured.signature)
            let forged = try altered(captured.payload, "central", "stranger")
            let withHeaders = try await stranger.request(captured.subject, forged, signature: signature)
            #expect(withHeaders.status == .rejected)
            #expect(withHeaders.error?.contains("which node edge does not trust") == true, "\(withHeaders)")
            let without = try await stranger.request(captured.subject, forged)
            #expect(without.status == .rejected)
            #expect(without.error?.contains("unsigned message: node edge runs `cliCommand` only when it is signed") == true)
            // A plain unsigned command.
            let unsigned = try Message(toNode: "edge", method: .cliCommand, methodArgs: ["sh", "-c", "echo unsigned >> \(marker)"])
                .accepted(from: "central", defaults: .standard)[0]
            let plain = try await stranger.request(try #require(unsigned.subject).description, unsigned.encoded())
            #expect(plain.error?.contains("unsigned message") == true)
            // The open methods still answer.
            let ping = try Message(toNode: "edge", method: .ping).accepted(from: "stranger", defaults: .standard)[0]
            #expect(try await stranger.request(try #require(ping.subject).description, ping.encoded()).status == .ok)

            #expect(!FileManager.default.fileExists(atPath: marker))
            await stranger.connection.close()
        }
    }

    @Test func anAgentTrustingTheCentralKeyRunsWhatItSignedAndRefusesAlteredCopies() async throws {
        try await withCentralAndEdge { server, directory, central, _ in
            let stranger = try await Stranger.connect(server.url)
            let wire = try stranger.connection.subscribe("bosun.edge.>")
            try await stranger.connection.flush()
            let marker = directory + "/ran.txt"
            try central.write(inmsg: #"{"toNode":"edge","method":"cliCommand","methodArgs":["sh","-c","echo signed >> \#(marker)"]}"#)
            #expect(await eventually { (try? await central.messages().first?["state"] as? String) == "acked" })

            var iterator = wire.makeAsyncIterator()
            let captured = try #require(await iterator.next())
            let signature = try #require(captured.signature)
            let forged = try altered(captured.payload, "signed", "altered")
            let tampered = try await stranger.request(captured.subject, forged, signature: signature)
            #expect(tampered.status == .rejected)
            #expect(tampered.error?.contains("the signature does not match the message (altered in flight, or forged)") == true)
            let stripped = try await stranger.request(captured.subject, forged)
            #expect(stripped.error?.contains("unsigned message") == true)
            // Signed by a key of the stranger's own.
            let own = NodeKey()
            let foreign = try await stranger.request(
                captured.subject, forged, signature: own.signature(subject: captured.subject, payload: forged))
            #expect(foreign.error?.contains("which node edge does not trust") == true)
            // The genuine bytes again (a replay): the stored answer, not a second run. The central's signature offers
            // an answer with a MAC, so the answer has one: under the key only the central and edge can work out.
            let replayed = try await stranger.request(captured.subject, captured.payload, signature: signature)
            #expect(replayed.status == .ok)
            #expect(signature.offersMACAnswer && replayed.signature == nil)
            let centralKey = try TestFleet.centralKey(dataDirectory: directory + "/central")
            #expect(replayed.hasValidMAC(key: try #require(centralKey.pairKey(with: replayed.signedBy ?? ""))))
            #expect(!replayed.hasValidMAC(key: try #require(own.pairKey(with: replayed.signedBy ?? ""))))

            #expect(try String(contentsOfFile: marker, encoding: .utf8) == "signed\n")
            // The refusals reach the central error log, counted per sender, subject and reason.
            let reported = await eventually {
                let errors = await central.errorLog()
                return errors.contains("refused a message from an unsigned sender on bosun.edge.cliCommand.CommandACK")
                    && errors.contains("signature does not match")
            }
            #expect(reported)
            await stranger.connection.close()
        }
    }

    @Test func aNewNodeWaitsForTheOperatorsApprovalAndLosesNothingMeanwhile() async throws {
        try await withNATSServerAndDirectory { server, directory in
            let central = AgentProcess.central(server: server, directory: directory)
            central.fleetTrust = false
            defer { central.stop() }
            try await central.start()
            let agent = AgentProcess(node: "edge", server: server, dataDirectory: directory + "/edge")
            defer { agent.stop() }
            try await agent.start(extraArguments: ["--ack-timeout", "1", "--retry-wait", "0.2", "--hello-interval", "0.5"])
            try agent.write(inmsg: #"{"toNode":"central","method":"log","methodArgs":["app"],"data":"while pending"}"#)

            let edgeKey = try NodeKey.load(path: agent.dataDirectory + "/node.key").publicKey
            let pending = await eventually {
                let nodes = (try? await runProgram(Binaries.bosun, ["nodes", "--json", "--data-dir", central.dataDirectory]).stdout) ?? ""
                return nodes.contains(#""trust":"pending""#) && nodes.contains(NodeKey.fingerprint(of: edgeKey) ?? "-")
            }
            #expect(pending)
            // Sent and refused (unanswered) at least twice: it stays in the agent's outbox, and nothing is logged.
            #expect(await eventually { ((try? await agent.messages().first?["attempts"] as? Int) ?? 0) >= 2 })
            #expect(try await agent.messages().first?["state"] as? String != "acked")
            let logFile = central.dataDirectory + "/logs/edge/app.log"
            #expect(!FileManager.default.fileExists(atPath: logFile))
            let asked = try await runProgram(Binaries.bosun, ["errors", "--json", "--data-dir", central.dataDirectory]).stdout
            #expect(asked.contains("node edge asks to join"))

            let unknown = try await runProgram(Binaries.bosun, ["nodes", "approve", "nobody", "--data-dir", central.dataDirectory])
            #expect(unknown.status != 0)
            #expect(unknown.stderr.contains("node nobody has not asked to join"))
            let approved = try await runProgram(Binaries.bosun, ["nodes", "approve", "edge", "--data-dir", central.dataDirectory])
            #expect(approved.status == 0, "\(approved.stderr)")
            #expect(approved.stdout.contains("approved edge (key \(NodeKey.fingerprint(of: edgeKey) ?? "-"))"))
            #expect(await eventually { ((try? String(contentsOfFile: logFile, encoding: .utf8)) ?? "").contains("while pending") })
            #expect(await eventually { (try? await agent.messages().first?["state"] as? String) == "acked" })

            // Another node the operator turns away.
            let intruder = AgentProcess(node: "intruder", server: server, dataDirectory: directory + "/intruder")
            defer { intruder.stop() }
            try await intruder.start(extraArguments: ["--ack-timeout", "1", "--retry-wait", "0.2"])
            let rejected = try await runProgram(Binaries.bosun, ["nodes", "reject", "intruder", "--data-dir", central.dataDirectory])
            #expect(rejected.status == 0)
            try intruder.write(inmsg: #"{"toNode":"central","method":"log","methodArgs":["app"],"data":"let me in"}"#)
            #expect(await eventually { ((try? await intruder.messages().first?["attempts"] as? Int) ?? 0) >= 2 })
            #expect(!FileManager.default.fileExists(atPath: central.dataDirectory + "/logs/intruder/app.log"))
            let nodes = try await runProgram(Binaries.bosun, ["nodes", "--json", "--data-dir", central.dataDirectory]).stdout
            #expect(nodes.contains(#""trust":"rejected""#))
        }
    }

    @Test func theCentralNodeRefusesAStrangersLogUnderARealNodesName() async throws {
        try await withCentralAndEdge { server, _, central, agent in
            let store = try Store(path: central.dataDirectory + "/state.db")
            #expect(await eventually { (try? store.pinnedKey(node: "edge")) != nil })
            let stranger = try await Stranger.connect(server.url)
            for (index, key) in [nil, NodeKey()].enumerated() {
                let forged = try Message(toNode: "central", method: .log, methodArgs: ["app"], data: "forged \(index)")
                    .accepted(from: "edge", defaults: .standard)[0]
                let subject = try #require(forged.subject).description
                let payload = forged.encoded()
                try stranger.connection.publish(subject, payload: payload, replyTo: "_INBOX.stranger",
                    signature: key?.signature(subject: subject, payload: payload))
            }
            try await stranger.connection.flush()
            try agent.write(inmsg: #"{"toNode":"central","method":"log","methodArgs":["app"],"data":"genuine"}"#)
            let logFile = central.dataDirectory + "/logs/edge/app.log"
            #expect(await eventually { ((try? String(contentsOfFile: logFile, encoding: .utf8)) ?? "").contains("genuine") })
            #expect(try String(contentsOfFile: logFile, encoding: .utf8) == "genuine\n")
            let reported = await eventually {
                let errors = await central.errorLog()
                return errors.contains("from an unsigned sender on bosun.central.log.EventACK")
                    && errors.contains("belongs to no approved node")
            }
            #expect(reported)
            await stranger.connection.close()
        }
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
            let errors = await central.errorLog()
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

    @Test func theCentralNodeTakesACKsSignedByTheNodesKeyOnly() async throws {
        try await withCentral { server, directory, central in
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
        let announce = try Message(toNode: "central", method: .hello, data: String(decoding: hello.encoded(), as: UTF8.self))
            .accepted(from: "fake", defaults: .standard)[0]
        let subject = try #require(announce.subject).description
        try connection.publish(subject, payload: announce.encoded(),
            signature: fakeKey.signature(subject: subject, payload: announce.encoded()))
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
            let errors = await central.errorLog()
            return errors.contains("not its own")
        }
        #expect(alarmed)
        #expect(try store.pinnedKey(node: "edge") == pinned)
    }
}
