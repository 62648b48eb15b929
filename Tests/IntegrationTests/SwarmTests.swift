import Foundation
import Testing

/// `bosun-agent --swarm N`: many simulated nodes in one process, seen by the central node like any fleet.
@Suite(.serialized)
struct SwarmTests {
    @Test func aSwarmHellosAndAnswersAFanOutToEveryNode() async throws {
        try await withCentral { server, directory, central in
            try await swarmScenario(server: server.url, directory: directory, central: central)
        }
    }

    private func swarmScenario(server: String, directory: String, central: AgentProcess) async throws {
        let swarm = AgentProcess(node: "swarm", server: server, dataDirectory: directory + "/swarm")
        defer { swarm.stop() }
        try await swarm.start(extraArguments: ["--swarm", "200", "--node-prefix", "sim-", "--hello-interval", "1"])
        let known = await eventually(timeout: .seconds(20)) {
            let nodes = (try? await runProgram(Binaries.bosun, ["nodes", "--json", "--data-dir", central.dataDirectory]).stdout) ?? ""
            return nodes.split(separator: "\n").filter { $0.contains("\"state\":\"up\"") }.count == 200
        }
        #expect(known)
        // One message to every known node: 200 messages, each ACKed by its own simulated node.
        try central.write(inmsg: #"{"toNodes":["*"],"method":"ping"}"#)
        let acked = await eventually(timeout: .seconds(30)) {
            let messages = (try? await central.messages()) ?? []
            return messages.count == 200 && messages.allSatisfy { $0["state"] as? String == "acked" }
        }
        #expect(acked)
        let repliers = Set(try await central.messages().compactMap { ($0["reply"] as? [String: Any])?["fromNode"] as? String })
        #expect(repliers == Set((0..<200).map { "sim-\($0)" }))
    }

    @Test func withAMetricsIntervalEachSimulatedNodeSendsSamplesTheCentralStores() async throws {
        try await withCentral { server, directory, central in
            let swarm = AgentProcess(node: "swarm", server: server.url, dataDirectory: directory + "/swarm")
            defer { swarm.stop() }
            try await swarm.start(extraArguments: ["--swarm", "20", "--node-prefix", "m-", "--metrics-interval", "1"])
            var shown: [String: String] = [:]
            // Two samples of each node's CPU, stored under its own name, with the values the swarm makes up.
            let stored = await eventually(timeout: .seconds(30), interval: .milliseconds(250)) {
                for node in ["m-0", "m-19"] {
                    let result = try? await runProgram(
                        Binaries.bosun, ["metrics", node, "--json", "--data-dir", central.dataDirectory])
                    shown[node] = result?.stdout ?? ""
                }
                return shown.values.allSatisfy { text in
                    text.split(separator: "\n").filter { $0.contains(#""metric":"cpu""#) }.count >= 2
                }
            }
            #expect(stored, "\(shown)")
            #expect(shown["m-0"]?.contains(#""metric":"temp""#) == true, "\(shown)")
        }
    }
}
