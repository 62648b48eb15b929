import Foundation
import Shared
import Testing

/// `--mailbox jetstream` seen from more than one data directory: answers kept in the results stream, so two
/// operators' centrals (two data directories, one cluster) each see the other's sends and results, and an
/// agent killed in the middle of a command answers it `interrupted` after its restart, without running it again.
@Suite(.serialized)
struct JetStreamSharedViewTests {
    @Test func twoCentralsOnTwoDataDirectoriesSeeEachOthersSendsAndResults() async throws {
        try await withJetStreamCluster { cluster in
            try await withTemporaryDirectory { directory in
                let first = AgentProcess.central(server: cluster.urls, directory: directory)
                // The second operator's central is a central of its own (`--central central-b`); the agent's
                // hellos go to the first only.
                let second = AgentProcess(node: "central-b", server: cluster.urls, dataDirectory: directory + "/central-b")
                second.central = true
                let keys = [
                    try TestFleet.centralKey(dataDirectory: first.dataDirectory).publicKey,
                    try TestFleet.centralKey(dataDirectory: second.dataDirectory).publicKey,
                ]
                let edge = AgentProcess(node: "edge", server: cluster.urls, dataDirectory: directory + "/edge")
                edge.fleetTrust = false
                defer {
                    first.stop()
                    second.stop()
                    edge.stop()
                }
                try await first.start(extraArguments: ["--mailbox", "jetstream"])
                try await second.start(extraArguments: ["--mailbox", "jetstream", "--central", "central-b"])
                try await edge.start(extraArguments: ["--mailbox", "jetstream"] + keys.flatMap { ["--trust", $0] })
                try first.write(inmsg: #"{"toNode":"edge","method":"cliCommand","methodArgs":["echo","from-first"]}"#)
                try second.write(inmsg: #"{"toNode":"edge","method":"cliCommand","methodArgs":["echo","from-second"]}"#)

                for central in [first, second] {
                    var rows: [[String: Any]] = []
                    let both = await eventually(timeout: .seconds(60)) {
                        rows = (try? await sharedMessages(cluster.urls, dataDirectory: central.dataDirectory)) ?? []
                        return Set(rows.compactMap(outputIfAcked)) == ["from-first\n", "from-second\n"]
                    }
                    #expect(both, "\(central.node) sees \(rows); log:\n\(central.log.suffix(4000))")
                    #expect(rows.count == 2)
                }
                // The node registry is shared (BOSUN_NODES): the second central knows the agent that never said
                // hello to it, approved, with its key, as the first does.
                var nodes: [String: Any] = [:]
                let known = await eventually(timeout: .seconds(30)) {
                    nodes = (try? await nodeRow("edge", dataDirectory: second.dataDirectory)) ?? [:]
                    return nodes["trust"] as? String == "approved" && nodes["state"] as? String == "up"
                }
                #expect(known, "\(nodes)")
                let firstView = try await nodeRow("edge", dataDirectory: first.dataDirectory)
                #expect(nodes["keyFingerprint"] as? String == firstView["keyFingerprint"] as? String)
                #expect(nodes["keyFingerprint"] != nil)

                // Without the servers' streams each sees its own send only.
                let own = try await first.messages()
                #expect(own.map { $0["methodArgs"] as? [String] } == [["echo", "from-first"]])

                // A third operator's console, on a fresh data directory, shows both sends acked with their output.
                try await withTmux { tmux in
                    let third = directory + "/central-c"
                    try tmux.start(cols: 120, rows: 40, [
                        Binaries.bosun, "--server", cluster.urls, "--data-dir", third, "--node", "central-c",
                        "--central", "central-c", "--mailbox", "jetstream", "--auto-approve",
                    ])
                    let console = ConsoleDriver(tmux: tmux, logPath: third + "/console.log")
                    try await console.waitFor("both operators' sends acked", timeout: .seconds(60)) {
                        $0.messages(to: "edge") == ["acked", "acked"]
                    }
                    try await tmux.press("2", "g")
                    try await console.waitFor("the newest one's output") {
                        $0.text.contains("from-second") || $0.text.contains("from-first")
                    }
                }
            }
        }
    }

    @Test func anAgentKilledInTheMiddleOfACommandAnswersItInterruptedAndNeverRunsItTwice() async throws {
        // A command accepted by a central that is gone: only the mailbox brings it. It writes its shell's pid (so
        // the test can end the orphaned command) and sleeps past the agent's kill.
        let slow = { (scenario: MailboxScenario) in
            [#"{"id":"slow-1","toNode":"edge","method":"cliCommand","methodArgs":["sh","-c","echo $$ >> \#(scenario.allowed)/runs.txt; exec sleep 600"]}"#]
        }
        try await withMailboxScenario(count: 1, batch: slow) { scenario in
            let marks = scenario.allowed + "/runs.txt"
            func runs() -> [Int32] {
                ((try? String(contentsOfFile: marks, encoding: .utf8)) ?? "").split(separator: "\n").compactMap { Int32($0) }
            }
            defer { for pid in runs() { kill(pid, SIGKILL) } }
            let edge = try await scenario.startEdge()
            defer { edge.stop() }
            #expect(await eventually(timeout: .seconds(60)) { runs().count == 1 }, "agent log:\n\(edge.log.suffix(3000))")
            edge.stop(signal: SIGKILL)
            try await edge.start(extraArguments: scenario.edgeArguments)

            var rows: [[String: Any]] = []
            let answered = await eventually(timeout: .seconds(60)) {
                rows = (try? await sharedMessages(scenario.cluster.urls, dataDirectory: scenario.directory + "/fresh")) ?? []
                return (rows.first?["reply"] as? [String: Any])?["status"] as? String == "interrupted"
            }
            #expect(answered, "\(rows); agent log:\n\(edge.log.suffix(3000))")
            #expect(rows.first?["id"] as? String == "slow-1")
            #expect(rows.first?["state"] as? String == "acked")
            // Its place moved over it: it is not handed over again.
            let last = try await withJetStreamClient(scenario.cluster.urls) { client in
                try await client.js.streamState(MailboxSubjects.mailboxStream).lastSequence
            }
            #expect(await eventually(timeout: .seconds(30)) { MailboxPlace.read(edge.dataDirectory) == last })
            #expect(runs().count == 1)
        }
    }
}

/// The messages `bosun messages --json --mailbox jetstream` shows on `dataDirectory` (which need not exist).
func sharedMessages(_ urls: String, dataDirectory: String) async throws -> [[String: Any]] {
    let result = try await runProgram(Binaries.bosun, [
        "messages", "--json", "--limit", "100000", "--mailbox", "jetstream", "--mailbox-server", urls, "--data-dir", dataDirectory,
    ])
    guard result.status == 0 else { throw TestFailure("bosun messages: \(result.stderr)") }
    return result.stdout.split(separator: "\n").compactMap {
        try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
    }
}

/// The row of `node` in `bosun nodes --json` on `dataDirectory` (empty when it is not listed).
func nodeRow(_ node: String, dataDirectory: String) async throws -> [String: Any] {
    let result = try await runProgram(Binaries.bosun, ["nodes", "--json", "--data-dir", dataDirectory])
    guard result.status == 0 else { throw TestFailure("bosun nodes: \(result.stderr)") }
    return result.stdout.split(separator: "\n").compactMap {
        try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
    }.first { $0["name"] as? String == node } ?? [:]
}

/// The stdout of a row's reply when the message is acked with status ok.
func outputIfAcked(_ row: [String: Any]) -> String? {
    guard row["state"] as? String == "acked", let reply = row["reply"] as? [String: Any],
        reply["status"] as? String == "ok"
    else { return nil }
    return reply["stdout"] as? String
}
