import Foundation
import Testing

/// `bosun send --canary --batch --max-failures`: the canary first, then batches; past the bound the rollout halts
/// and the rest is not sent; a node that is down when its batch comes is kept and runs when it returns. Real
/// nats-server, the central engine, real agents.
@Suite(.serialized)
struct RolloutTests {
    /// n-2 and n-3 fail (the shell reads its agent's command line); the others say done.
    static let failing =
        #"case "$(tr '\0' ' ' < /proc/$PPID/cmdline)" in *"--node n-2 "*|*"--node n-3 "*) echo broken; exit 1;; *) echo done;; esac"#
    static let rollout = ["--to", "n-1,n-2,n-3,n-4,n-5", "--canary", "1", "--batch", "2", "--max-failures", "1"]

    @Test func aRolloutHaltsPastItsFailureBoundAndWaitsForADownNodeWhenItCompletes() async throws {
        try await withCentral { server, directory, central in
            var agents: [AgentProcess] = []
            defer { agents.forEach { $0.stop() } }
            for name in ["n-1", "n-2", "n-3", "n-5"] {
                let agent = AgentProcess(node: name, server: server.url, dataDirectory: directory + "/" + name)
                try await agent.start()
                agents.append(agent)
            }
            let halted = try await bosun(
                ["send"] + Self.rollout + ["--", "--shell", Self.failing], server: server.url,
                dataDirectory: central.dataDirectory)
            #expect(halted.status == 1, "\(halted.stdout)\(halted.stderr)")
            let lines = halted.stdout.split(separator: "\n").map(String.init)
            #expect(
                lines.prefix(3) == [
                    "rollout: canary n-1: 1 ok",
                    "rollout: batch 1 of 2 n-[2-3]: 2 failed",
                    "rollout halted after batch 1 of 2: 2 failed, more than --max-failures 1; not sent: n-[4-5]",
                ], "\(halted.stdout)")
            #expect(lines.contains("── not sent (rollout halted): n-[4-5]"), "\(halted.stdout)")
            let toUnsent = try await runProgram(
                Binaries.bosun, ["messages", "--json", "--to", "n-5", "--data-dir", central.dataDirectory])
            #expect(toUnsent.stdout.isEmpty, "a halted rollout sent to n-5: \(toUnsent.stdout)")

            // The same rollout that succeeds: n-4 is down when its batch comes, kept, and runs when it returns.
            let send = try BackgroundProgram(
                Binaries.bosun, ["send"] + Self.rollout + ["--", "echo", "done"],
                environment: ["BOSUN_SERVER": server.url, "BOSUN_DATA_DIR": central.dataDirectory], directory: directory
            )
            #expect(
                await eventually(timeout: .seconds(30)) { send.stderr.contains("waiting for n-4: not connected") },
                "\(send.stdout)\(send.stderr)")
            let late = AgentProcess(node: "n-4", server: server.url, dataDirectory: directory + "/n-4")
            try await late.start()
            agents.append(late)
            let status = await send.exitStatus(within: .seconds(60))
            #expect(status == 0, "\(send.stdout)\(send.stderr)")
            #expect(send.stdout.contains("rollout: batch 2 of 2 n-[4-5]: 2 ok"), "\(send.stdout)")
            #expect(send.stdout.contains(": 5 nodes: 5 ok\n── n-[1-5] (ok, exit 0)\ndone\n"), "\(send.stdout)")

            // bosun rollouts: the completed one first, then the halted one with what it did not send.
            let listed = try await runProgram(
                Binaries.bosun, ["rollouts", "--json", "--data-dir", central.dataDirectory])
            let rows = listed.stdout.split(separator: "\n").compactMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }
            #expect(rows.count == 2, "\(listed.stdout)\(listed.stderr)")
            #expect(rows.first?["state"] as? String == "completed" && rows.first?["ok"] as? Int == 5, "\(rows)")
            #expect(rows.first?["stage"] as? String == "batch 2 of 2", "\(rows)")
            let stopped = try #require(rows.last)
            #expect(stopped["state"] as? String == "halted" && stopped["failed"] as? Int == 2, "\(stopped)")
            #expect(stopped["notSent"] as? [String] == ["n-4", "n-5"], "\(stopped)")
            #expect((stopped["reason"] as? String)?.contains("more than --max-failures 1") == true, "\(stopped)")
        }
    }

    /// `bosun rollouts --json`'s rows, newest first.
    static func rollouts(_ dataDirectory: String) async throws -> [[String: Any]] {
        let listed = try await runProgram(Binaries.bosun, ["rollouts", "--json", "--data-dir", dataDirectory])
        return listed.stdout.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    @Test func aRolloutIsPausedResumedThenAbortedByTheOperator() async throws {
        try await withCentral { server, directory, central in
            var agents: [AgentProcess] = []
            defer { agents.forEach { $0.stop() } }
            for name in ["p-1", "p-2", "p-3"] {
                let agent = AgentProcess(node: name, server: server.url, dataDirectory: directory + "/" + name)
                try await agent.start()
                agents.append(agent)
            }
            let send = try BackgroundProgram(
                Binaries.bosun,
                ["send", "--to", "p-1,p-2,p-3", "--canary", "1", "--batch", "1", "--batch-wait", "15", "--", "echo", "done"],
                environment: ["BOSUN_SERVER": server.url, "BOSUN_DATA_DIR": central.dataDirectory], directory: directory)
            var row: [String: Any] = [:]
            #expect(
                await eventually(timeout: .seconds(60), interval: .milliseconds(250)) {
                    row = (try? await Self.rollouts(central.dataDirectory))?.first ?? [:]
                    return row["state"] as? String == "running"
                }, "\(send.stdout)\(send.stderr)")
            let operation = try #require(row["operation"] as? String)
            func ask(_ request: String) async throws -> RunResult {
                try await runProgram(Binaries.bosun, ["rollouts", request, operation, "--data-dir", central.dataDirectory])
            }
            func waitFor(_ state: String, begun: Int) async -> Bool {
                await eventually(timeout: .seconds(60), interval: .milliseconds(250)) {
                    row = (try? await Self.rollouts(central.dataDirectory))?.first ?? [:]
                    return row["state"] as? String == state && row["stagesBegun"] as? Int == begun
                }
            }

            let paused = try await ask("pause")
            #expect(paused.status == 0 && paused.stdout.contains("asked rollout \(operation) to pause"), "\(paused.stderr)")
            // Asked while the canary runs or during the 15 s wait after it: no batch begins while paused.
            #expect(await waitFor("paused", begun: 1), "\(row)")
            let resumed = try await ask("resume")
            #expect(resumed.status == 0, "\(resumed.stderr)")
            #expect(await waitFor("running", begun: 2), "resumed: batch 1 begins once the batch wait is over: \(row)")

            let aborted = try await ask("abort")
            #expect(aborted.status == 0, "\(aborted.stderr)")
            let status = await send.exitStatus(within: .seconds(30))
            #expect(status == 1, "\(send.stdout)\(send.stderr)")
            #expect(
                send.stdout.contains("rollout halted after batch 1 of 2: aborted by the operator; not sent: p-3"),
                "\(send.stdout)")
            row = try await Self.rollouts(central.dataDirectory).first ?? [:]
            #expect(row["state"] as? String == "aborted" && row["notSent"] as? [String] == ["p-3"], "\(row)")
            #expect(!FileManager.default.fileExists(atPath: central.dataDirectory + "/rollouts/\(operation).request"))

            let again = try await ask("resume")
            #expect(again.status == 1 && again.stderr.contains("rollout \(operation) is aborted"), "\(again.stderr)")
        }
    }
}
