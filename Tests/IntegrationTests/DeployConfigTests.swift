import Foundation
import Testing

/// The example nats-server configurations under deploy/nats: valid, and the hub and leaf pair carries a command
/// from a central node on the hub to an agent on the leaf.
@Suite(.serialized)
struct DeployConfigTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("deploy/nats").path

    @Test(arguments: ["single.conf", "cluster-1.conf", "cluster-2.conf", "cluster-3.conf", "hub.conf", "leaf.conf"])
    func exampleConfigurationIsValid(_ name: String) async throws {
        let check = try await runProgram(NATSServer.executable, ["-t", "-c", Self.directory + "/" + name])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
    }

    @Test func aCommandCrossesFromTheHubToAnAgentOnTheLeaf() async throws {
        try await withTemporaryDirectory { directory in
            try await hubAndLeafScenario(directory: directory)
        }
    }

    private func hubAndLeafScenario(directory: String) async throws {
        let hubPort = freePort()
        let leafnodePort = freePort()
        let sitePort = freePort()
        // The examples as shipped, moved onto loopback and free ports.
        let hub = try configured("hub.conf", directory: directory, [
            "0.0.0.0:4222": "127.0.0.1:\(hubPort)", "0.0.0.0:7422": "127.0.0.1:\(leafnodePort)", "http: 127.0.0.1:8222": "",
        ])
        let leaf = try configured("leaf.conf", directory: directory, [
            "0.0.0.0:4222": "127.0.0.1:\(sitePort)", "hub.example:7422": "127.0.0.1:\(leafnodePort)",
        ])
        let hubServer = try ChildProcess(NATSServer.executable, ["-c", hub], logPath: directory + "/hub.log")
        defer { hubServer.stop() }
        #expect(await eventually { hubServer.log.contains("Server is ready") })
        let leafServer = try ChildProcess(NATSServer.executable, ["-c", leaf], logPath: directory + "/leaf.log")
        defer { leafServer.stop() }
        #expect(await eventually { leafServer.log.contains("Leafnode connection created") })

        let agent = AgentProcess(
            node: "site-pi", server: "nats://bosun:CHANGE-ME@127.0.0.1:\(sitePort)", dataDirectory: directory + "/site-pi")
        defer { agent.stop() }
        try await agent.start()
        let result = try await bosun(["send", "--to", "site-pi", "--", "echo", "via the leaf"],
            server: "nats://bosun:CHANGE-ME@127.0.0.1:\(hubPort)")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "via the leaf\n")
    }

    /// Writes a copy of an example with `replacements` applied; returns its path.
    private func configured(_ name: String, directory: String, _ replacements: [String: String]) throws -> String {
        var text = try String(contentsOfFile: Self.directory + "/" + name, encoding: .utf8)
        for (from, to) in replacements {
            #expect(text.contains(from), "\(name) has no \(from)")
            text = text.replacingOccurrences(of: from, with: to)
        }
        let path = directory + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}
