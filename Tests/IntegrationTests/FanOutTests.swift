import Foundation
import Testing

/// One command to many nodes: targets by list, label and group, and the grouped summary. Real nats-server, the
/// central engine (`bosun serve`), real agents with labels in their agent.json, the real `bosun send`.
@Suite(.serialized)
struct FanOutTests {
    /// pi-3 answers differently from the others and fails with exit 2 (the shell reads its agent's command line).
    static let script =
        #"case "$(tr '\0' ' ' < /proc/$PPID/cmdline)" in *"--node pi-3 "*) echo different; exit 2;; *) echo same;; esac"#

    @Test func labelsAndGroupsTargetTheRightNodesAndAFanOutPrintsTheGroupedSummary() async throws {
        try await withCentral { server, directory, central in
            var agents: [AgentProcess] = []
            defer { agents.forEach { $0.stop() } }
            for (node, site) in [("pi-1", "barn"), ("pi-2", "barn"), ("pi-3", "barn"), ("pi-4", "kitchen")] {
                let agent = AgentProcess(node: node, server: server.url, dataDirectory: directory + "/" + node)
                try FileManager.default.createDirectory(atPath: agent.dataDirectory, withIntermediateDirectories: true)
                try #"{"labels": {"site": "\#(site)"}}"#.write(
                    toFile: agent.dataDirectory + "/agent.json", atomically: true, encoding: .utf8)
                try await agent.start()
                agents.append(agent)
            }
            try #"{"yard": ["pi-1", "pi-2", "pi-4"]}"#.write(
                toFile: central.dataDirectory + "/groups.json", atomically: true, encoding: .utf8)
            let known = await eventually(timeout: .seconds(20)) { (try? await self.labelled(central)) == 4 }
            #expect(known, "the central node did not learn the four nodes' labels")

            try await labelsTargetTheirNodes(server: server.url, central: central)
            // pi-4 goes away: a fan-out keeps it waiting, and --fail-fast ends the wait with it listed.
            agents[3].stop()
            try await fanOutPrintsTheGroupedSummary(server: server.url, central: central)
        }
    }

    private func labelsTargetTheirNodes(server: String, central: AgentProcess) async throws {
        let result = try await bosun(
            ["send", "--to", "site=barn", "--json", "--", "--shell", "echo hi"], server: server,
            dataDirectory: central.dataDirectory)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let rows = result.stdout.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        #expect(rows.compactMap { $0["node"] as? String } == ["pi-1", "pi-2", "pi-3"], "\(result.stdout)")
        #expect(rows.allSatisfy { $0["outcome"] as? String == "ok" && $0["stdout"] as? String == "hi\n" })
        #expect(Set(rows.compactMap { $0["operation"] as? String }).count == 1)
    }

    private func fanOutPrintsTheGroupedSummary(server: String, central: AgentProcess) async throws {
        let result = try await bosun(
            ["send", "--fail-fast", "--to", "@yard,site=barn", "--", "--shell", Self.script], server: server,
            dataDirectory: central.dataDirectory)
        #expect(result.status == 69, "stdout: \(result.stdout)\nstderr: \(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("operation ") == true, "\(result.stdout)")
        #expect(lines.first?.hasSuffix(": 4 nodes: 2 ok · 1 failed · 1 waiting") == true, "\(result.stdout)")
        #expect(
            Array(lines.dropFirst()) == [
                "── pi-[1-2] (ok, exit 0)", "same",
                "── pi-3 (failed, exit 2)", "different",
                "── still waiting (not connected): pi-4",
            ], "\(result.stdout)")
        #expect(result.stderr.contains("the bosun engine running on \(central.dataDirectory) keeps retrying it"))
        // The fan-out is one operation, its messages listed under its id.
        let operation = String(lines[0].dropFirst("operation ".count).prefix { $0 != ":" })
        let log = try String(contentsOfFile: central.dataDirectory + "/operations.jsonl", encoding: .utf8)
        #expect(log.contains("\"id\":\"\(operation)\""), "\(log)")
        #expect(log.contains("\"target\":\"@yard,site=barn\""), "\(log)")

        // The fleet view: the down node's backlog and how long it has waited; an answering node's round trip.
        let nodes = try await runProgram(Binaries.bosun, ["nodes", "--json", "--data-dir", central.dataDirectory])
            .stdout
        let rows = nodes.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        let away = try #require(rows.first { $0["name"] as? String == "pi-4" })
        #expect(away["state"] as? String == "down")
        #expect(away["pending"] as? Int == 1)
        #expect(away["oldestPendingSince"] is String)
        #expect((away["labels"] as? [String: String]) == ["site": "kitchen"])
        let answering = try #require(rows.first { $0["name"] as? String == "pi-1" })
        #expect((answering["roundTrip"] as? Double).map { $0 >= 0 } == true, "\(answering)")
        #expect(answering["pending"] as? Int == 0)
    }

    @Test func aTargetThatNamesNobodyIsRefusedWithTheReason() async throws {
        try await withCentral { server, _, central in
            let result = try await bosun(
                ["send", "--to", "@nowhere", "--", "true"], server: server.url, dataDirectory: central.dataDirectory)
            #expect(result.status == 64)
            #expect(
                result.stderr.contains(
                    "--to @nowhere: @nowhere: no such group in \(central.dataDirectory)/groups.json"),
                "\(result.stderr)")
        }
    }

    /// How many nodes the central node knows with labels from their hellos.
    private func labelled(_ central: AgentProcess) async throws -> Int {
        let output = try await runProgram(Binaries.bosun, ["nodes", "--json", "--data-dir", central.dataDirectory])
            .stdout
        return output.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }.filter { (($0["facts"] as? [String: Any])?["labels"] as? [String: String])?["site"] != nil }.count
    }
}
