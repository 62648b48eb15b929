import Foundation
import Shared
import Testing

/// Hostile traffic is cheap: thousands of malformed, oversized, deeply nested and forged payloads published to one
/// agent's subjects. It keeps answering, runs nothing, its memory stays put, and the central error log gets a few
/// lines with counts instead of one line per payload. Real nats-server, real processes.
@Suite(.serialized)
struct TrustFloodTests {
    private func rssKB(_ pid: Int32) -> Int {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }

    /// The hostile payloads, each with the headers it is published with.
    private func payloads(marker: String) throws -> [([UInt8], WireSignature?)] {
        var result: [([UInt8], WireSignature?)] = []
        let command = try Message(toNode: "edge", method: .cliCommand, methodArgs: ["touch", marker])
            .accepted(from: "central", defaults: .standard)[0]
        let subject = try #require(command.subject).description
        var generator = SystemRandomNumberGenerator()
        // Random bytes.
        for _ in 0..<2000 { result.append(((0..<Int.random(in: 1...4096)).map { _ in UInt8.random(in: 0...255, using: &generator) }, nil)) }
        // Nesting 100,000 deep.
        for _ in 0..<150 { result.append((Array((String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)).utf8), nil)) }
        // 100,000 methodArgs entries (the limit is 1,024).
        let manyArgs = Array(#"{"id":"x","toNode":"edge","fromNode":"central","method":"cliCommand","methodArgs":["#.utf8)
            + Array(repeating: Array(#""a","#.utf8), count: 99_999).flatMap { $0 } + Array(#""a"]}"#.utf8)
        for _ in 0..<150 { result.append((manyArgs, nil)) }
        // 1 MB fields (just under the server's max_payload).
        var big = command
        big.data = String(repeating: "x", count: 1_000_000)
        for _ in 0..<50 { result.append((big.encoded(), nil)) }
        // Forged signatures: a stranger's key, and a trusted-looking key with a signature of garbage.
        let stranger = NodeKey()
        for index in 0..<2000 {
            var forged = command
            forged.id = MessageID.make()
            let bytes = forged.encoded()
            let signature = index % 2 == 0
                ? stranger.signature(subject: subject, payload: bytes)
                : WireSignature(key: stranger.publicKey, value: String(repeating: "A", count: 88))
            result.append((bytes, signature))
        }
        return result
    }

    @Test func thousandsOfHostilePayloadsCostAnAgentNeitherMemoryNorRunsAndMakeAFewCountedErrorLines() async throws {
        try await withCentral { server, directory, central in
            let agent = AgentProcess(node: "edge", server: server.url, dataDirectory: directory + "/edge")
            defer { agent.stop() }
            try await agent.start(extraArguments: ["--refusal-interval", "2"])
            let pid = try #require(agent.child?.pid)
            let marker = directory + "/ran.txt"
            let flood = try payloads(marker: marker)
            let connection = try await NATSConnection.connect(NATSConfiguration(servers: [server.url]))
            let answers = try connection.subscribe("_INBOX.flood.>")
            try await connection.flush()
            // Warm up the agent the way the flood will (a refusal answered), then measure from there.
            try connection.publish("bosun.edge.cliCommand.CommandACK", payload: Array("{}".utf8), replyTo: "_INBOX.flood.warm")
            var iterator = answers.makeAsyncIterator()
            _ = await iterator.next()
            let before = rssKB(pid)
            let started = ContinuousClock.now

            for (index, (payload, signature)) in flood.enumerated() {
                try connection.publish(
                    "bosun.edge.cliCommand.CommandACK", payload: payload, replyTo: "_INBOX.flood.\(index)", signature: signature)
                if index % 200 == 199 { try await connection.flush() }
            }
            try await connection.flush()
            // Every payload is answered with its refusal (the server drops none of these sizes).
            var refused = 0
            var reasons = Set<String>()
            while refused < flood.count, let answer = await iterator.next() {
                refused += 1
                if let reply = try? Reply.decode(answer.payload) {
                    #expect(reply.status == .rejected)
                    reasons.insert(String((reply.error ?? "").prefix(30)))
                }
            }
            #expect(refused == flood.count)
            #expect(reasons.contains { $0.hasPrefix("unsigned message: node edge") })
            #expect(reasons.contains { $0.hasPrefix("signed by key") })
            #expect(reasons.count == 2, "\(reasons)")

            // It still answers, and still runs what the central node signs.
            let ping = try Message(toNode: "edge", method: .ping).accepted(from: "probe", defaults: .standard)[0]
            let pong = try await connection.request(try #require(ping.subject).description, payload: ping.encoded(), timeout: .seconds(10))
            #expect(try Reply.decode(pong.payload).status == .ok)
            try central.write(inmsg: #"{"toNode":"edge","method":"cliCommand","methodArgs":["echo","still here"]}"#)
            #expect(await eventually { (try? await central.newestReply()["stdout"]) == "still here\n" })
            #expect(!FileManager.default.fileExists(atPath: marker))

            let grown = rssKB(pid) - before
            #expect(grown < 30 * 1024, "the agent's RSS grew by \(grown) KB")
            // A few lines at the central error handler, with counts, not one per payload: every refusal is counted
            // (the warm-up's too), in at most one line per kind (two here: unsigned, untrusted key) per interval.
            func refusalLines() async -> [Substring] {
                await central.errorLog().split(separator: "\n").filter { $0.contains("refused") }
            }
            func counted(_ lines: [Substring]) -> Int {
                lines.reduce(0) { total, line in
                    guard let range = line.range(of: "refused ") else { return total }
                    let rest = line[range.upperBound...]
                    if rest.hasPrefix("a message") { return total + 1 }
                    return total + (Int(rest.prefix { $0.isNumber }) ?? 0)
                }
            }
            let all = await eventually(timeout: .seconds(30)) { counted(await refusalLines()) == flood.count + 1 }
            let lines = await refusalLines()
            #expect(all, "\(counted(lines)) refusals counted of \(flood.count + 1)")
            let intervals = Int((ContinuousClock.now - started).components.seconds) / 2 + 2
            #expect(lines.count <= 2 * intervals, "\(lines.count) refusal lines for \(flood.count) payloads in \(intervals) intervals")
            #expect(lines.count < flood.count / 50)
            await connection.close()
        }
    }
}
