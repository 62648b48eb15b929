import Foundation
import Testing

/// Link health from a real agent: the reconnects its hellos count, and the round trip of its latest answer, as
/// `bosun nodes --json` shows them. Real nats-server (restarted on the same port), the central engine, an agent.
@Suite(.serialized)
struct LinkHealthTests {
    /// `bosun nodes --json`'s row for `node`.
    static func row(_ node: String, server: String, dataDirectory: String) async throws -> [String: Any]? {
        let listed = try await bosun(["nodes", "--json", "--data-dir", dataDirectory], server: server)
        return listed.stdout.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }.first { $0["name"] as? String == node }
    }

    static func reconnects(_ row: [String: Any]?) -> Int? { (row?["facts"] as? [String: Any])?["reconnects"] as? Int }

    @Test func theAgentCountsItsReconnectsInItsHellosAndAPingGivesTheRoundTrip() async throws {
        try await withCentral { server, directory, central in
            let agent = AgentProcess(node: "edge", server: server.url, dataDirectory: directory + "/edge")
            defer { agent.stop() }
            try await agent.start(extraArguments: ["--hello-interval", "1"])
            var last: [String: Any]?
            let counted = await eventually(timeout: .seconds(15)) {
                last = try? await Self.row("edge", server: server.url, dataDirectory: central.dataDirectory)
                return Self.reconnects(last) == 0
            }
            #expect(counted, "a fresh agent's hello says 0 reconnects: \(String(describing: last))")

            server.stop()
            try await server.start()
            let afterRestart = await eventually(timeout: .seconds(30), interval: .milliseconds(200)) {
                last = try? await Self.row("edge", server: server.url, dataDirectory: central.dataDirectory)
                return Self.reconnects(last) == 1
            }
            #expect(afterRestart, "after one broker restart: \(String(describing: last))\n\(agent.log)")

            let ping = try await bosun(
                ["send", "--to", "edge", "--method", "ping"], server: server.url, dataDirectory: central.dataDirectory)
            #expect(ping.status == 0, "\(ping.stdout)\(ping.stderr)")
            last = try await Self.row("edge", server: server.url, dataDirectory: central.dataDirectory)
            let roundTrip = try #require(last?["roundTrip"] as? Double, "\(String(describing: last))")
            #expect(roundTrip >= 0)
        }
    }
}
