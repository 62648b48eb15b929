import Foundation
import Shared
import Testing

/// Keys that rotate without touching every machine: the central node's (handed to every node through the outbox,
/// even one that is down during the rotation) and an agent's own. Real nats-server, real processes.
@Suite(.serialized)
struct KeyRotationTests {
    private func bosunCommand(_ arguments: [String], central: AgentProcess) async throws -> RunResult {
        try await runProgram(Binaries.bosun, arguments + ["--data-dir", central.dataDirectory, "--server", central.server])
    }

    private func errors(_ central: AgentProcess) async -> String {
        await central.errorLog()
    }

    @Test func theCentralKeyRotatesWithANodeDownAndTheOldKeyIsRetiredOnceAllHaveTheNewOne() async throws {
        try await withCentral { server, directory, central in
            let store = try Store(path: central.dataDirectory + "/state.db")
            let up = AgentProcess(node: "up", server: server.url, dataDirectory: directory + "/up")
            let away = AgentProcess(node: "away", server: server.url, dataDirectory: directory + "/away")
            defer {
                up.stop()
                away.stop()
            }
            // Each agent trusts the key the central node had when it was set up, and keeps that setting.
            let old = try NodeKey.load(path: central.dataDirectory + "/node.key")
            let trustOld = ["--trust", old.publicKey]
            for agent in [up, away] {
                agent.fleetTrust = false
                try await agent.start(extraArguments: trustOld)
            }
            #expect(await eventually { (try? store.pinnedKey(node: "up")) != nil && (try? store.pinnedKey(node: "away")) != nil })
            away.stop()

            let rotated = try await bosunCommand(["keys", "rotate"], central: central)
            #expect(rotated.status == 0, "\(rotated.stderr)")
            #expect(rotated.stdout.contains("sent it to 2 nodes, signed by the old key \(old.publicKey)"))
            let new = try NodeKey.load(path: central.dataDirectory + "/node.key")
            #expect(new.publicKey != old.publicKey)
            // Sent after the rotation, so signed by the new key: the node that is down gets the key first.
            try central.write(inmsg: #"[{"toNode":"up","method":"cliCommand","methodArgs":["echo","up after"]},{"toNode":"away","method":"cliCommand","methodArgs":["echo","away after"]}]"#)
            let upHasIt = await eventually {
                let status = (try? await bosunCommand(["keys", "rotate", "--status"], central: central).stdout) ?? ""
                return status.contains("up\thas the new key") && status.contains("away\twaiting")
            }
            #expect(upHasIt)
            let early = try await bosunCommand(["keys", "retire", old.publicKey], central: central)
            #expect(early.status == 1)
            #expect(early.stderr.contains("not every node has the new key yet (away)"), "\(early.stderr)")

            try await away.start(extraArguments: trustOld)
            let allRan = await eventually(timeout: .seconds(30)) {
                let records = (try? store.outboxRecords(method: .cliCommand, states: [.acked])) ?? []
                return records.compactMap { $0.reply?.stdout }.sorted() == ["away after\n", "up after\n"]
            }
            #expect(allRan)
            let bothTrustIt = await eventually {
                [up, away].allSatisfy {
                    ((try? String(contentsOfFile: $0.dataDirectory + "/trusted-keys", encoding: .utf8)) ?? "").contains(new.publicKey)
                }
            }
            #expect(bothTrustIt)

            let retired = try await bosunCommand(["keys", "retire", old.publicKey], central: central)
            #expect(retired.status == 0, "\(retired.stderr)")
            #expect(await eventually {
                [up, away].allSatisfy {
                    ((try? String(contentsOfFile: $0.dataDirectory + "/trusted-keys", encoding: .utf8)) ?? "").contains("-" + old.publicKey)
                }
            })
            // The old key is revoked even though the agents were started with --trust OLD.
            let message = try Message(toNode: "up", method: .cliCommand, methodArgs: ["echo", "old key"])
                .accepted(from: "central", defaults: .standard)[0]
            let subject = try #require(message.subject).description
            let connection = try await NATSConnection.connect(NATSConfiguration(servers: [server.url]))
            let answer = try await connection.request(
                subject, payload: message.encoded(), signature: old.signature(subject: subject, payload: message.encoded()),
                timeout: .seconds(10))
            await connection.close()
            let refused = try Reply.decode(answer.payload)
            #expect(refused.status == .rejected)
            #expect(refused.error?.contains("which node up does not trust") == true, "\(refused)")
        }
    }

    @Test func anAgentRotatesItsOwnKeyAndTheCentralNodeFollowsWithoutAlarm() async throws {
        try await withCentralAndEdge { _, _, central, agent in
            let store = try Store(path: central.dataDirectory + "/state.db")
            #expect(await eventually { (try? store.pinnedKey(node: "edge")) != nil })
            let old = try #require(try store.pinnedKey(node: "edge"))
            agent.stop()
            try await agent.start(extraArguments: ["--rotate-key"])
            let new = try NodeKey.load(path: agent.dataDirectory + "/node.key").publicKey
            #expect(new != old)
            #expect(await eventually { (try? store.pinnedKey(node: "edge")) == new })
            // Its messages are taken under the new key, its answers believed.
            try agent.write(inmsg: #"{"toNode":"central","method":"log","methodArgs":["app"],"data":"new key"}"#)
            let logFile = central.dataDirectory + "/logs/edge/app.log"
            #expect(await eventually { ((try? String(contentsOfFile: logFile, encoding: .utf8)) ?? "").contains("new key") })
            try central.write(inmsg: #"{"toNode":"edge","method":"cliCommand","methodArgs":["echo","after rotation"]}"#)
            #expect(await eventually { (try? await central.messages().first?["state"] as? String) == "acked" })
            let reported = await central.errorLog()
            #expect(reported.contains("node edge rotated its key"))
            #expect(!reported.contains("not its own"))
        }
    }
}
