import ArgumentParser
import Foundation
import Shared

extension MailboxDesign: ExpressibleByArgument {}

/// `bosun-bench mailbox`: the JetStream servers' memory and CPU with many simulated nodes reading their mailboxes,
/// for each reader design (docs/benchmarks/jetstream.md).
struct MailboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mailbox",
        abstract: "JetStream mailboxes: servers' RSS and CPU with N simulated nodes, ordered readers vs durable consumers.")

    @Option(parsing: .upToNextOption, help: "Simulated fleet sizes.") var nodes = [1000]
    @Option(parsing: .upToNextOption, help: "Reader designs: ordered, durable.") var designs = MailboxDesign.allCases
    @Option(help: "JetStream servers: 1, or 3 (a cluster, streams with three replicas).") var servers = 3
    @Option(help: "Seconds the nodes idle, connected, while the servers' CPU is measured.") var idle = 30.0
    @Option(help: "Where to write the JSON results.") var output = "docs/benchmarks/jetstream.json"

    func validate() throws {
        guard servers == 1 || servers == 3 else { throw ValidationError("--servers must be 1 or 3, got \(servers)") }
        guard nodes.allSatisfy({ $0 > 0 }) else { throw ValidationError("--nodes must be positive, got \(nodes)") }
    }

    func run() async throws {
        var results: [String: [String: Double]] = [:]
        for count in nodes {
            for design in designs {
                Self.say("\(design.rawValue), \(count) nodes, \(servers) server(s)…")
                let figures = try await MailboxScenario.run(design: design, nodes: count, servers: servers, idle: .seconds(idle))
                results["\(design.rawValue).\(count)"] = figures
                Self.say(Self.line(figures))
            }
        }
        let json = try JSONSerialization.data(withJSONObject: [
            "date": ISO8601DateFormatter().string(from: Date()), "servers": servers, "idleSeconds": idle,
            "results": results,
        ], options: [.prettyPrinted, .sortedKeys])
        try FileManager.default.createDirectory(
            atPath: (output as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try json.write(to: URL(fileURLWithPath: output))
        print("written to \(output)")
    }

    /// Written at once even into a file: a long run shows its progress, and a crash loses nothing said.
    static func say(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    static func line(_ figures: [String: Double]) -> String {
        func value(_ key: String) -> String { String(format: "%.1f", figures[key] ?? 0) }
        return "  servers RSS \(value("baseRssMB")) MB empty, \(value("attachedRssMB")) MB attached, "
            + "\(value("idleRssMB")) MB idle · attach \(value("attachSeconds")) s (\(value("attachCpuSeconds")) s CPU) · "
            + "publish \(value("publishSeconds")) s · deliver \(value("deliverSeconds")) s · "
            + "idle CPU \(value("idleCpuPercent"))% · consumers \(value("consumersConnected")) connected, "
            + "\(value("consumersLeft")) after they left (\(value("leftRssMB")) MB)"
    }
}
