import Foundation
import Testing

/// Guaranteed delivery under faults, with a real nats-server, a real central engine (`bosun serve`) and real agents.
@Suite(.serialized)
struct DeliveryTests {
    private func command(_ id: Int, _ shell: String, extra: String = "") -> String {
        #"{"toNode":"edge","method":"cliCommand","methodArgs":["sh","-c",\#(jsonString(shell))],"ackTimeout":2,"retryWait":0.2\#(extra)}"#
    }

    private func jsonString(_ text: String) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: [text]), as: UTF8.self).dropFirst().dropLast().description
    }

    private func states(_ central: AgentProcess) async throws -> [String] {
        try await central.messages().compactMap { $0["state"] as? String }
    }

    @Test func commandsToANodeThatComesUpLaterRunOnceEachAndAreACKedWithOutput() async throws {
        try await withCentral { server, directory, central in
            try await nodeComesUpLaterScenario(server: server.url, directory: directory, central: central)
        }
    }

    private func nodeComesUpLaterScenario(server: String, directory: String, central: AgentProcess) async throws {
        let sideEffects = directory + "/ran.txt"
        let batch = (0..<20).map {
            command($0, "echo start-\($0) >> \(sideEffects); sleep 0.05; echo end-\($0) >> \(sideEffects); echo out-\($0)")
        }
        try central.write(inmsg: "[" + batch.joined(separator: ",") + "]")
        // The node stays down for 10 s: every message waits for it, none is lost or given up.
        try await Task.sleep(for: .seconds(10))
        let waiting = try await central.messages()
        #expect(waiting.count == 20)
        // Queued, or "sending" for the one probing the node right now; each has counted attempts.
        #expect(waiting.allSatisfy { ["queued", "sending"].contains($0["state"] as? String) && ($0["attempts"] as? Int ?? 0) >= 1 })

        let agent = AgentProcess(node: "edge", server: server, dataDirectory: directory + "/edge")
        defer { agent.stop() }
        try await agent.start()
        let delivered = await eventually(timeout: .seconds(60)) {
            (try? await self.states(central)) == Array(repeating: "acked", count: 20)
        }
        #expect(delivered)
        // Each ran once, one after another in the order they were written, as if sent to a live node.
        let lines = try String(contentsOfFile: sideEffects, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(lines == (0..<20).flatMap { ["start-\($0)", "end-\($0)"] })
        let outputs = try await central.messages().compactMap { ($0["reply"] as? [String: Any])?["stdout"] as? String }
        #expect(Set(outputs) == Set((0..<20).map { "out-\($0)\n" }))
    }

    @Test func brokerKilledMidStreamLosesNothingAndHandlesEachOnce() async throws {
        try await withCentralAndEdge { server, directory, central, agent in
            try await brokerOutageScenario(server: server, directory: directory, central: central, agent: agent)
        }
    }

    private func brokerOutageScenario(server: NATSServer, directory: String, central: AgentProcess, agent: AgentProcess) async throws {
        // 500 EventACK `log` messages from the edge node to the central node, which appends each to a file.
        let lines = (0..<500).map { "line \($0)" }
        let batch = lines.map { #"{"toNode":"central","method":"log","methodArgs":["stream"],"data":"\#($0)","ackTimeout":1,"retryWait":0.2}"# }
        // The central node is frozen while they go out, so the broker dies mid-stream however fast the engine is:
        // what it had taken off the wire it handles once thawed, answering into a dead connection.
        let frozen = try #require(central.child?.pid)
        kill(frozen, SIGSTOP)
        try agent.write(inmsg: "[" + batch.joined(separator: ",") + "]")
        let started = await eventually { agent.journalIDs("attempt").count >= 50 }
        #expect(started)
        server.stop(signal: SIGKILL)
        // Mid-stream: some were sent, none could be ACKed.
        #expect(agent.journalIDs("acked").isEmpty)
        kill(frozen, SIGCONT)
        try await Task.sleep(for: .seconds(1))
        try await server.start()

        let delivered = await eventually(timeout: .seconds(60)) {
            (try? await agent.messages().filter { $0["state"] as? String == "acked" }.count) == 500
        }
        #expect(delivered)
        #expect(agent.journalIDs("acked").count == 500)
        let logged = try String(contentsOfFile: central.dataDirectory + "/logs/edge/stream.log", encoding: .utf8)
            .split(separator: "\n").map(String.init)
        // Each handled exactly once: every line there, none twice.
        #expect(logged.count == 500)
        #expect(Set(logged) == Set(lines))
    }

    @Test func replaySendsTheJournaledMessageAgainUnderANewID() async throws {
        try await withCentralAndEdge { _, directory, central, agent in
            try await replayScenario(directory: directory, central: central, agent: agent)
        }
    }

    private func replayScenario(directory: String, central: AgentProcess, agent: AgentProcess) async throws {
        let marker = directory + "/ran.txt"
        try central.write(inmsg: command(0, "echo ran >> \(marker)"))
        #expect(await eventually { (try? await self.states(central)) == ["acked"] })
        let original = try #require(central.journalIDs("accepted").first)

        let replay = try await runProgram(Binaries.bosun, ["replay", original, "--data-dir", central.dataDirectory])
        #expect(replay.status == 0)
        let copy = replay.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(!copy.isEmpty && copy != original)
        #expect(await eventually { (try? await self.states(central)) == ["acked", "acked"] })
        #expect(central.journalIDs("acked").contains(copy))
        #expect(try String(contentsOfFile: marker, encoding: .utf8) == "ran\nran\n")

        let unknown = try await runProgram(Binaries.bosun, ["replay", "no-such-id", "--data-dir", central.dataDirectory])
        #expect(unknown.status != 0)
        #expect(unknown.stderr.contains("no-such-id"))
    }

    @Test func finalMessagesAndStoredResultsArePrunedAfterKeepResults() async throws {
        try await withCentral(arguments: ["--keep-results", "2"]) { server, directory, central in
            try await pruningScenario(server: server.url, directory: directory, central: central)
        }
    }

    private func pruningScenario(server: String, directory: String, central: AgentProcess) async throws {
        let agent = AgentProcess(node: "edge", server: server, dataDirectory: directory + "/edge")
        defer { agent.stop() }
        try await agent.start(extraArguments: ["--keep-results", "2"])
        // Its ttl ends soon: the agent keeps its record until then, and two seconds after it was final.
        try central.write(inmsg: command(0, "echo kept", extra: #","ttl":3"#))
        #expect(await eventually { (try? await self.states(central)) == ["acked"] })
        // Two seconds after it was final (and its ttl ended) the record is gone on both sides.
        #expect(await eventually { (try? await central.messages().isEmpty) == true })
        #expect(await eventually { agent.log.contains("pruned old messages") && agent.log.contains("received=1") })
    }

    @Test func aReceiverRunsAtMostItsLimitAtOnceAndTheRestWait() async throws {
        try await withCentral { server, directory, central in
            try await concurrencyLimitScenario(server: server.url, directory: directory, central: central)
        }
    }

    private func concurrencyLimitScenario(server: String, directory: String, central: AgentProcess) async throws {
        let agent = AgentProcess(node: "edge", server: server, dataDirectory: directory + "/edge")
        defer { agent.stop() }
        try await agent.start(extraArguments: ["--max-concurrent-runs", "2"])
        let trace = directory + "/trace.txt"
        let batch = (0..<6).map { command($0, "echo start >> \(trace); sleep 0.5; echo end >> \(trace)") }
        try central.write(inmsg: "[" + batch.joined(separator: ",") + "]")
        #expect(await eventually(timeout: .seconds(30)) { (try? await self.states(central)) == Array(repeating: "acked", count: 6) })
        var running = 0
        var most = 0
        for line in try String(contentsOfFile: trace, encoding: .utf8).split(separator: "\n") {
            running += line == "start" ? 1 : -1
            most = max(most, running)
        }
        // Two at a time: the limit is used, and never passed.
        #expect(most == 2)
    }

    @Test func sigtermLetsTheRunningCommandFinishAndItsACKGoOutThenExitsZero() async throws {
        try await withCentralAndEdge { _, directory, central, agent in
            try await gracefulStopScenario(directory: directory, central: central, agent: agent)
        }
    }

    private func gracefulStopScenario(directory: String, central: AgentProcess, agent: AgentProcess) async throws {
        let marker = directory + "/started.txt"
        try central.write(inmsg: command(0, "echo started > \(marker); sleep 2; echo finished", extra: #","methodTimeout":30"#))
        #expect(await eventually { FileManager.default.fileExists(atPath: marker) })
        agent.stop(signal: SIGTERM)
        #expect(agent.child?.exitStatus == 0)
        // The command was let finish, and its answer went out before the agent left.
        #expect(await eventually { (try? await self.states(central)) == ["acked"] })
        #expect(try await central.newestReply()["stdout"] == "finished\n")
        #expect(agent.log.contains("stopping: no new messages"))
    }

    @Test func retriesBoundGivesUpAndReportsToTheCentralErrorLog() async throws {
        try await withNATSServer { server in
            try await withTemporaryDirectory { directory in
                let central = AgentProcess.central(server: server.url, directory: directory)
                try await central.start()
                defer { central.stop() }
                try central.write(inmsg: #"{"toNode":"never-up","method":"ping","retries":2,"retryWait":0.1,"ackTimeout":1}"#)
                let failed = await eventually(timeout: .seconds(30)) { (try? await self.states(central)) == ["failed"] }
                #expect(failed)
                let newest = try await central.messages().first
                let attempts = newest?["attempts"] as? Int
                let id = newest?["id"] as? String ?? "missing"
                #expect(attempts == 3)
                let errors = try await runProgram(Binaries.bosun, ["errors", "--json", "--data-dir", central.dataDirectory])
                #expect(errors.stdout.contains(id))
                #expect(errors.stdout.contains("never-up"))
            }
        }
    }

    @Test func malformedInmsgIsKeptInRejectedAndTheNextWriteWorks() async throws {
        try await withNATSServer { server in
            try await withTemporaryDirectory { directory in
                let central = AgentProcess.central(server: server.url, directory: directory)
                try await central.start()
                defer { central.stop() }
                try central.write(inmsg: #"[{"toNode":"edge","method":"ping","ackTimeout":"ten"}]"#)
                let rejected = central.dataDirectory + "/rejected"
                #expect(await eventually {
                    ((try? FileManager.default.contentsOfDirectory(atPath: rejected)) ?? []).contains { $0.hasSuffix(".error") }
                })
                let names = try FileManager.default.contentsOfDirectory(atPath: rejected)
                let errorFile = try #require(names.first { $0.hasSuffix(".error") })
                let reason = try String(contentsOfFile: rejected + "/" + errorFile, encoding: .utf8)
                #expect(reason.contains("ackTimeout"))
                #expect(reason.contains("inmsg.txt"))
                #expect(names.contains { $0.hasSuffix("inmsg.txt") })

                try central.write(inmsg: #"{"toNode":"edge","method":"ping","ttl":60}"#)
                #expect(await eventually { (try? await self.states(central).count) == 1 })
                let errors = try await runProgram(Binaries.bosun, ["errors", "--json", "--data-dir", central.dataDirectory])
                #expect(errors.stdout.contains("ackTimeout"))
            }
        }
    }

    @Test func senderKilledWithUnackedMessagesResumesAndDeliversEachOnce() async throws {
        try await withNATSServer { server in
            try await withTemporaryDirectory { directory in
                let central = AgentProcess.central(server: server.url, directory: directory)
                defer { central.stop() }
                try await central.start()
                let batch = (0..<300).map { command($0, "echo \($0)") }
                try central.write(inmsg: "[" + batch.joined(separator: ",") + "]")
                #expect(await eventually { (try? await self.states(central).count) == 300 })
                central.stop(signal: SIGKILL)
                // No node "edge" existed yet: every message is still unfinished when the sender dies.
                #expect(try await states(central).allSatisfy { $0 == "queued" || $0 == "sending" })

                let agent = AgentProcess(node: "edge", server: server.url, dataDirectory: directory + "/edge")
                try await agent.start()
                defer { agent.stop() }
                try await central.start()
                let delivered = await eventually(timeout: .seconds(90)) {
                    (try? await self.states(central)) == Array(repeating: "acked", count: 300)
                }
                #expect(delivered)
                let accepted = central.journalIDs("accepted")
                let received = agent.journalIDs("received")
                #expect(accepted.count == 300)
                // Each received exactly once, in the order it was accepted.
                #expect(received == accepted)
            }
        }
    }

    @Test func agentKilledMidCommandAnswersInterruptedAndDoesNotRunAgain() async throws {
        try await withNATSServer { server in
            try await withTemporaryDirectory { directory in
                let central = AgentProcess.central(server: server.url, directory: directory)
                try await central.start()
                defer { central.stop() }
                let agent = AgentProcess(node: "edge", server: server.url, dataDirectory: directory + "/edge")
                try await agent.start()
                let marker = directory + "/started.txt"
                try central.write(inmsg: command(0, "echo started >> \(marker); sleep 30"))
                #expect(await eventually { FileManager.default.fileExists(atPath: marker) })
                agent.stop(signal: SIGKILL)
                try await agent.start()
                defer { agent.stop() }
                let answered = await eventually(timeout: .seconds(30)) { (try? await self.states(central)) == ["acked"] }
                #expect(answered)
                let reply = try await central.newestReply()
                #expect(reply["status"] == "interrupted")
                #expect(try String(contentsOfFile: marker, encoding: .utf8) == "started\n")
            }
        }
    }

    @Test func lostACKAfterTheRunGetsTheStoredResultOnRestart() async throws {
        try await withCentralAndEdge { _, directory, central, agent in
            try await lostACKScenario(directory: directory, central: central, agent: agent)
        }
    }

    private func lostACKScenario(directory: String, central: AgentProcess, agent: AgentProcess) async throws {
        let marker = directory + "/ran.txt"
        try central.write(inmsg: command(0, "echo ran >> \(marker); sleep 1; echo result"))
        let ran = await eventually { FileManager.default.fileExists(atPath: marker) }
        #expect(ran)
        // The command runs for another second: the sender dies before its ACK can be recorded.
        central.stop(signal: SIGKILL)
        let answered = await eventually { agent.journalIDs("answered").count == 1 }
        #expect(answered)
        try await central.start()
        let acked = await eventually(timeout: .seconds(30)) { (try? await self.states(central)) == ["acked"] }
        #expect(acked)
        let reply = try await central.newestReply()
        #expect(reply["stdout"] == "result\n")
        let runs = try String(contentsOfFile: marker, encoding: .utf8)
        #expect(runs == "ran\n")
    }
}
