import Foundation
import Testing

/// A real three-server NATS cluster on loopback: delivery keeps its guarantees when a server dies.
@Suite(.serialized)
struct ClusterTests {
    @Test func aServerKilledMidStreamLosesNothingAndClientsMoveToTheSurvivors() async throws {
        try await withTemporaryDirectory { directory in
            try await clusterScenario(directory: directory)
        }
    }

    private func clusterScenario(directory: String) async throws {
        let token = NATSServer.newToken()
        let clusterPorts = (0..<3).map { _ in freePort() }
        let servers = (0..<3).map { index in
            NATSServer(
                directory: directory + "/nats-\(index)", token: token, clusterPort: clusterPorts[index],
                routes: clusterPorts.enumerated().filter { $0.offset != index }.map(\.element))
        }
        for server in servers { try await server.start() }
        defer { for server in servers { server.stop() } }
        #expect(await eventually(timeout: .seconds(20)) { servers.allSatisfy { $0.routeCount >= 2 } })

        // Each node knows all three servers.
        let all = servers.map(\.url).joined(separator: ",")
        let central = AgentProcess.central(server: all, directory: directory)
        defer { central.stop() }
        try await central.start()
        let agent = AgentProcess(node: "edge", server: all, dataDirectory: directory + "/edge")
        defer { agent.stop() }
        try await agent.start()

        var killed: NATSServer?
        let lines = (0..<1000).map { "line \($0)" }
        let batch = lines.map { #"{"toNode":"central","method":"log","methodArgs":["stream"],"data":"\#($0)","ackTimeout":1,"retryWait":0.2}"# }
        // The stream: ten batches of 100. After the third, the server the agent is on (the client picks one of
        // its list at random) dies; the rest are written during the outage and after.
        for (index, start) in stride(from: 0, to: 1000, by: 100).enumerated() {
            try agent.drop(inbox: "[" + batch[start..<start + 100].joined(separator: ",") + "]", name: "batch-\(index).json")
            if index == 2 {
                #expect(await eventually { agent.journalIDs("acked").count >= 100 })
                let victim = try #require(servers.first { agent.log.contains("127.0.0.1:\($0.port)\")") })
                victim.stop(signal: SIGKILL)
                killed = victim
            }
        }
        let victim = try #require(killed)

        let delivered = await eventually(timeout: .seconds(60)) {
            (try? await agent.messages().filter { $0["state"] as? String == "acked" }.count) == 1000
        }
        #expect(delivered)
        let logged = try String(contentsOfFile: central.dataDirectory + "/logs/edge/stream.log", encoding: .utf8)
            .split(separator: "\n").map(String.init)
        #expect(logged.count == 1000)
        #expect(Set(logged) == Set(lines))
        // The agent says it reconnected, to a survivor.
        let survivors = servers.filter { $0 !== victim }.map { "127.0.0.1:\($0.port)\")" }
        let reconnected = agent.log.split(separator: "\n").filter { $0.contains("reconnected(url:") }
        #expect(!reconnected.isEmpty)
        #expect(reconnected.allSatisfy { line in survivors.contains { line.contains($0) } })
    }
}
