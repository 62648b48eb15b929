import ArgumentParser
import Foundation
import Shared

/// `bosun-bench`: the delivery engine measured against plain NATS in the same run (`make bench`).
@main
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bosun-bench",
        abstract: "Benchmarks of the delivery engine against raw libnats, measured in the same run.",
        subcommands: [Run.self, ReferenceCommand.self, RefusalBench.self, CodecBench.self, SwarmMetricsCommand.self, RawResponder.self, MailboxCommand.self, MailboxBench.self], defaultSubcommand: Run.self)

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "run", abstract: "Run the benchmarks; print a table and write JSON.")

        @Option(help: "Runs of each scenario; figures are medians.") var runs = 3
        @Option(help: "Sequential pings per run.") var pings = 500
        @Option(help: "Pipelined EventACK messages per run.") var events = 10_000
        @Option(help: "Messages in the outbox for the restart scenario.") var restart = 100_000
        @Option(parsing: .upToNextOption, help: "Simulated fleet sizes for the fan-out scenario.") var fanOut = [1000, 10_000]
        @Option(help: "Commands in the reference workload (0 skips it).") var reference = 1000
        @Option(help: "Where to write the JSON results.") var output = "docs/benchmarks/delivery.json"

        func run() async throws {
            var report: [String: [String: Double]] = [:]
            var pingRuns: [[String: Latencies]] = []
            var eventRuns: [[String: Double]] = []
            var unsignedRuns: [[String: Double]] = []
            for run in 1...runs {
                print("run \(run)/\(runs): ping…", terminator: " ")
                pingRuns.append(try await Scenarios.ping(count: pings))
                print("events…", terminator: " ")
                eventRuns.append(try await Scenarios.events(count: events))
                print("events, nothing signed…", terminator: " ")
                unsignedRuns.append(try await Scenarios.events(count: events, signed: false))
                print("done")
            }
            for nodes in fanOut where nodes > 0 {
                for up in [nodes, nodes * 9 / 10] {
                    print("ping to \(nodes) simulated nodes, \(up) up…")
                    report["fanOut.\(nodes).up\(up)"] = try await Scenarios.fanOut(count: nodes, up: up)
                }
            }
            print("restart with \(restart) messages…")
            let restartFigures = try await Scenarios.restart(count: restart)
            report["ping.senderOnly"] = [
                "p50Ms": median(pingRuns.map { $0["senderOnly"]?.p50 ?? 0 }),
                "p99Ms": median(pingRuns.map { $0["senderOnly"]?.p99 ?? 0 }),
            ]
            for side in ["raw", "engine"] {
                report["ping.\(side)"] = [
                    "p50Ms": median(pingRuns.map { $0[side]?.p50 ?? 0 }), "p99Ms": median(pingRuns.map { $0[side]?.p99 ?? 0 }),
                ]
                report["events.\(side)"] = ["perSecond": median(eventRuns.map { $0[side] ?? 0 })]
            }
            report["events.cpu"] = [
                "senderMicrosecondsPerMessage": median(eventRuns.map { $0["senderCPUMicrosecondsPerMessage"] ?? 0 }),
                "agentMicrosecondsPerMessage": median(eventRuns.map { $0["agentCPUMicrosecondsPerMessage"] ?? 0 }),
                "messageBatches": median(eventRuns.map { $0["messageBatches"] ?? 0 }),
                "messagesInBatches": median(eventRuns.map { $0["messagesInBatches"] ?? 0 }),
                "signatureChecksPerMessage": median(eventRuns.map { $0["signatureChecksPerMessage"] ?? 1 }),
                "macChecksPerMessage": median(eventRuns.map { $0["macChecksPerMessage"] ?? 0 }),
            ]
            report["events.unsigned"] = [
                "perSecond": median(unsignedRuns.map { $0["engine"] ?? 0 }),
                "senderMicrosecondsPerMessage": median(unsignedRuns.map { $0["senderCPUMicrosecondsPerMessage"] ?? 0 }),
                "agentMicrosecondsPerMessage": median(unsignedRuns.map { $0["agentCPUMicrosecondsPerMessage"] ?? 0 }),
                "messageBatches": median(unsignedRuns.map { $0["messageBatches"] ?? 0 }),
                "messagesInBatches": median(unsignedRuns.map { $0["messagesInBatches"] ?? 0 }),
            ]
            report["authentication"] = try AuthenticationCost.measure()
            report["restart"] = restartFigures
            if reference > 0 { report["reference"] = try await ReferenceCommand.measure(count: reference, runs: runs) }
            printTable(report)
            let json = try JSONSerialization.data(withJSONObject: [
                "date": ISO8601DateFormatter().string(from: Date()), "runs": runs, "pings": pings, "events": events,
                "restartMessages": restart, "results": report,
            ], options: [.prettyPrinted, .sortedKeys])
            try FileManager.default.createDirectory(
                atPath: (output as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try json.write(to: URL(fileURLWithPath: output))
            print("written to \(output)")
        }

        private func printTable(_ report: [String: [String: Double]]) {
            func value(_ key: String, _ field: String) -> Double { report[key]?[field] ?? 0 }
            func format(_ number: Double) -> String { String(format: "%.3f", number) }
            let pingRatio = value("ping.engine", "p50Ms") / max(value("ping.raw", "p50Ms"), 0.000_001)
            let eventRatio = value("events.raw", "perSecond") / max(value("events.engine", "perSecond"), 0.000_001)
            print("")
            print("scenario                        raw           engine        ratio")
            print("ping p50 (ms)                   \(format(value("ping.raw", "p50Ms")).padded)\(format(value("ping.engine", "p50Ms")).padded)\(format(pingRatio))×")
            print("ping p99 (ms)                   \(format(value("ping.raw", "p99Ms")).padded)\(format(value("ping.engine", "p99Ms")).padded)")
            print("ping p50, sender engine only    \(format(value("ping.raw", "p50Ms")).padded)\(format(value("ping.senderOnly", "p50Ms")).padded)\(format(value("ping.senderOnly", "p50Ms") / max(value("ping.raw", "p50Ms"), 0.000_001)))×")
            print("EventACK pipelined (msg/s)      \(String(Int(value("events.raw", "perSecond"))).padded)\(String(Int(value("events.engine", "perSecond"))).padded)\(format(eventRatio))× slower")
            print("EventACK CPU per message: sender (central engine) \(Int(value("events.cpu", "senderMicrosecondsPerMessage"))) µs, agent \(Int(value("events.cpu", "agentMicrosecondsPerMessage"))) µs")
            // The agent checks one signature per batch of messages and one per message sent alone; a batch's own
            // signing at the sender is as dear as one at accept, once per batch. MACs: at most one per ACK.
            let checks = value("events.cpu", "signatureChecksPerMessage")
            let batchSigning = value("authentication", "sign") * value("events.cpu", "messageBatches") / Double(max(events, 1))
            let signing = value("authentication", "sign") + batchSigning + value("authentication", "checkMAC")
            let macChecks = value("events.cpu", "macChecksPerMessage")
            let checking = value("authentication", "verify") * checks + value("authentication", "checkMAC") * macChecks
                + value("authentication", "macACK")
            print("  \(Int(value("events.cpu", "messagesInBatches"))) of the \(events) messages went in \(Int(value("events.cpu", "messageBatches"))) batches: \(String(format: "%.3f", checks)) signature checks and \(String(format: "%.3f", macChecks)) MAC checks per message at the agent")
            print("  of which authentication alone, at most: sender \(Int(signing.rounded())) µs (signing at accept \(Int(value("authentication", "sign").rounded())), the batches' signatures \(Int(batchSigning.rounded())), the ACK's MAC \(Int(value("authentication", "checkMAC").rounded()))), agent \(Int(checking.rounded())) µs (checking signatures \(Int((value("authentication", "verify") * checks).rounded())) (\(Int(value("authentication", "verify").rounded())) each), the messages' MACs \(Int((value("authentication", "checkMAC") * macChecks).rounded())), the ACK's MAC \(Int(value("authentication", "macACK").rounded()))); signed ACKs would cost \(Int(value("authentication", "signACK").rounded())) + \(Int(value("authentication", "checkSignedACK").rounded())) µs")
            print("EventACK pipelined, nothing signed or checked (--insecure-sign-nothing): \(Int(value("events.unsigned", "perSecond"))) msg/s; CPU per message: sender \(Int(value("events.unsigned", "senderMicrosecondsPerMessage"))) µs, agent \(Int(value("events.unsigned", "agentMicrosecondsPerMessage"))) µs; \(Int(value("events.unsigned", "messagesInBatches"))) of the \(events) messages in \(Int(value("events.unsigned", "messageBatches"))) batches")
            // A first contact: each node's message signed, a key agreed with each node, each ACK's MAC checked.
            let firstContact = value("authentication", "sign") + value("authentication", "agreeKey") + value("authentication", "checkMAC")
            for key in report.keys.sorted() where key.hasPrefix("fanOut.") {
                let figures = report[key] ?? [:]
                print("\(key): all up ACKed in \(Int(figures["allUpAckedMs"] ?? 0)) ms, \(Int(figures["acked"] ?? 0)) acked, \(Int(figures["pending"] ?? 0)) pending (CPU: central \(Int(figures["senderCPUMs"] ?? 0)) ms, swarm \(Int(figures["swarmCPUMs"] ?? 0)) ms); again \(Int(figures["againAckedMs"] ?? 0)) ms (CPU: central \(Int(figures["againSenderCPUMs"] ?? 0)) ms, swarm \(Int(figures["againSwarmCPUMs"] ?? 0)) ms)")
                let up = figures["acked"] ?? 0
                print("  of the central's CPU at first contact, authentication alone: \(Int((firstContact * up / 1000).rounded())) ms (\(Int(firstContact.rounded())) µs a node: signing \(Int(value("authentication", "sign").rounded())), agreeing a key \(Int(value("authentication", "agreeKey").rounded())), the ACK's MAC \(Int(value("authentication", "checkMAC").rounded())))")
            }
            if let figures = report["reference"] { print(ReferenceCommand.summary(figures, count: reference)) }
            print("restart \(restart): first resend \(Int(value("restart", "firstResendMs"))) ms, first window (\(Int(value("restart", "window")))) resent \(Int(value("restart", "windowResentMs"))) ms")
        }
    }

    /// A plain libnats responder: answers `raw.ping` and `raw.event` with a small ACK, no store, no journal.
    struct RawResponder: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "raw-responder", shouldDisplay: false)
        @Option var server: String

        func run() async throws {
            var configuration = NATSConfiguration(servers: [server])
            configuration.sendAsap = true
            let connection = try await NATSConnection.connect(configuration)
            let subscription = try connection.subscribe("raw.*")
            // Also a node with no engine: ACKs each message at once, with its id, storing nothing.
            let node = try connection.subscribe(Subject.everything(for: Scenarios.rawNode))
            try await connection.flush()
            FileHandle.standardOutput.write(Data("listening\n".utf8))
            let ack = Array(#"{"id":"x","fromNode":"raw","status":"ok"}"#.utf8)
            try await withThrowingDiscardingTaskGroup { group in
                // Signed, as every ACK must be now: the sender's engine refuses unsigned ones.
                let key = NodeKey()
                group.addTask {
                    for await message in node {
                        guard let replyTo = message.replyTo, let id = try? Message.decode(message.payload).id else { continue }
                        let reply = key.sign(Reply(id: id, fromNode: Scenarios.rawNode, status: .ok))
                        try? connection.publish(replyTo, payload: reply.encoded())
                    }
                }
                for await message in subscription {
                    if let replyTo = message.replyTo { try? connection.publish(replyTo, payload: ack) }
                }
            }
        }
    }
}

extension String {
    fileprivate var padded: String { padding(toLength: 14, withPad: " ", startingAt: 0) }
}
