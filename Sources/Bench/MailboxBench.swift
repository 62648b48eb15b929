import ArgumentParser
import Foundation
import Shared

/// `bosun-bench mailbox-mode`: the delivery benchmarks in both mailbox modes on the same JetStream servers (three
/// routed as a cluster, or one): pipelined EventACKs to one agent, the reference workload (`bash -c "echo hi"`
/// commands), and a ping to 10,000 simulated nodes. Everything runs as processes (`bosun --headless`,
/// `bosun-agent`, `bosun-agent --swarm`) on fresh servers per scenario and mode; the figures are times from the
/// batch landing in the central's `inmsg.txt`, read from its store and the servers' streams, and the servers' RSS
/// and CPU time from `/proc`.
struct MailboxBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mailbox-mode",
        abstract: "The delivery scenarios with --mailbox outbox and --mailbox jetstream, with the servers' RSS.")

    @Option(help: "JetStream servers: 3 (a cluster, three replicas) or 1.") var servers = 3
    @Option(help: "Pipelined EventACK messages to one agent.") var events = 2000
    @Option(help: "Commands in the reference workload (0 skips it).") var reference = 300
    @Option(help: "Simulated nodes for the fan-out (0 skips it).") var fanOut = 10_000
    @Option(help: "Where to write the JSON results.") var output = "docs/benchmarks/jetstream-mode.json"
    @Option(parsing: .upToNextOption, help: "The modes to measure.") var modes: [MailboxMode] = MailboxMode.allCases

    func run() async throws {
        var report: [String: [String: Double]] = [:]
        // Each figure as soon as it is measured (a later scenario may fail on a loaded machine).
        func note(_ key: String, _ figures: [String: Double]) {
            report[key] = figures
            FileHandle.standardOutput.write(Data((MailboxModeRun.line(key, figures) + "\n").utf8))
        }
        for mode in modes {
            FileHandle.standardOutput.write(Data("\(mode): \(events) EventACKs…\n".utf8))
            note("events.\(mode)", try await MailboxModeRun.agent(mode: mode, servers: servers, count: events) {
                ["toNode": MailboxModeRun.agentNode, "method": "ping", "messageType": "EventACK"]
            })
            if reference > 0 {
                FileHandle.standardOutput.write(Data("\(mode): reference workload, \(reference) commands…\n".utf8))
                note("reference.\(mode)", try await MailboxModeRun.agent(mode: mode, servers: servers, count: reference) {
                    ["toNode": MailboxModeRun.agentNode, "method": "cliCommand", "methodArgs": ["bash", "-c", "echo hi"]]
                })
            }
            if fanOut > 0 {
                FileHandle.standardOutput.write(Data("\(mode): ping to \(fanOut) simulated nodes…\n".utf8))
                note("fanOut.\(mode)", try await MailboxModeRun.fanOut(mode: mode, servers: servers, count: fanOut))
            }
        }
        print("")
        for key in report.keys.sorted() { print(MailboxModeRun.line(key, report[key] ?? [:])) }
        let json = try JSONSerialization.data(withJSONObject: [
            "date": ISO8601DateFormatter().string(from: Date()), "servers": servers, "events": events,
            "reference": reference, "fanOut": fanOut, "results": report,
        ], options: [.prettyPrinted, .sortedKeys])
        try FileManager.default.createDirectory(
            atPath: (output as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try json.write(to: URL(fileURLWithPath: output))
        print("written to \(output)")
    }
}

/// One scenario in one mailbox mode, on fresh JetStream servers, with the central as a process of its own.
enum MailboxModeRun {
    static let agentNode = "bench-mbox"

    /// `count` messages made by `message` to one agent (`--mailbox mode` on both sides).
    static func agent(mode: MailboxMode, servers: Int, count: Int, _ message: () -> [String: Any]) async throws
        -> [String: Double]
    {
        let (harness, urls, processes) = try await startServers(servers)
        let central = try await startCentral(harness, urls: urls, mode: mode)
        _ = try await spawnAndWait(harness, "agent", [
            "--node", agentNode, "--server", urls.joined(separator: ","), "--data-dir", harness.directory + "/" + agentNode,
            "--trust", harness.centralKey.publicKey, "--metrics-interval", "0", "--mailbox", mode.rawValue,
        ])
        return try await measure(
            harness, urls: urls, servers: processes, central: central, mode: mode, count: count, answeredBack: true,
            batch: (0..<count).map { _ in message() })
    }

    /// One ping to `count` simulated nodes (`bosun-agent --swarm`, which answers directly and reads no mailbox).
    static func fanOut(mode: MailboxMode, servers: Int, count: Int) async throws -> [String: Double] {
        let (harness, urls, processes) = try await startServers(servers)
        let central = try await startCentral(harness, urls: urls, mode: mode)
        _ = try await spawnAndWait(harness, "swarm", [
            "--swarm", String(count), "--node-prefix", "sim-", "--server", urls.joined(separator: ","),
            "--hello-interval", "60", "--metrics-interval", "0",
        ])
        let names = (0..<count).map { "sim-\($0)" }
        return try await measure(
            harness, urls: urls, servers: processes, central: central, mode: mode, count: count, answeredBack: false,
            batch: [["toNodes": names, "method": "ping"]])
    }

    /// Fresh JetStream servers; on a loaded machine a cluster may miss the harness's start deadline, so up to three
    /// tries, each on new servers.
    private static func startServers(_ count: Int) async throws -> (Harness, [String], [Process]) {
        for attempt in 1...3 {
            let harness = try Harness()
            do {
                let (urls, processes) = try await harness.startJetStream(count: count)
                return (harness, urls, processes)
            } catch where attempt < 3 {
                print("servers did not start (\(error)); again")
            }
        }
        throw BenchError("unreachable")
    }

    private static func startCentral(_ harness: Harness, urls: [String], mode: MailboxMode) async throws -> Process {
        try await spawnAndWait(harness, "central", [
            "--headless", "--server", urls.joined(separator: ","), "--data-dir", harness.directory + "/central-process",
            "--auto-approve", "--mailbox", mode.rawValue,
        ], program: "bosun")
    }

    private static func spawnAndWait(_ harness: Harness, _ name: String, _ arguments: [String], program: String = "bosun-agent")
        async throws -> Process
    {
        let log = harness.directory + "/\(name).log"
        let process = try harness.spawn(Harness.sibling(program), arguments, log: log)
        try await harness.waitFor(name, log: log, text: "listening")
        return process
    }

    /// Writes `batch` into the central's `inmsg.txt` and times: every message acked at the central; in mailbox
    /// mode, every message safe in the mailbox stream, and (`answeredBack`: a node reading its mailbox) every
    /// answer kept in the results stream. Then the servers' and the central's footprint.
    private static func measure(
        _ harness: Harness, urls: [String], servers: [Process], central: Process, mode: MailboxMode, count: Int,
        answeredBack: Bool, batch: [[String: Any]]
    ) async throws -> [String: Double] {
        let directory = harness.directory + "/central-process"
        var configuration = NATSConfiguration(servers: urls)
        configuration.name = "bench-observer"
        let observer = try await NATSConnection.connect(configuration)
        let js = try JetStream(connection: observer)
        let store = try Store(path: directory + "/state.db")
        let (serversBefore, centralBefore) = (try usage(of: servers), try usage(of: [central]))
        let start = ContinuousClock.now
        guard FileManager.default.createFile(atPath: directory + "/inmsg.txt", contents: try JSONSerialization.data(withJSONObject: batch))
        else { throw BenchError("cannot write \(directory)/inmsg.txt") }
        var figures: [String: Double] = [:]
        let deadline = start + .seconds(max(300, count / 10))
        while ContinuousClock.now < deadline {
            let elapsed = (ContinuousClock.now - start).milliseconds
            if figures["ackedMs"] == nil {
                let counts = try store.outboxCounts()
                if (counts[.acked] ?? 0) >= count { figures["ackedMs"] = elapsed }
                let lost = (counts[.failed] ?? 0) + (counts[.rejected] ?? 0) + (counts[.expired] ?? 0)
                if lost > 0 { throw BenchError("\(mode): \(lost) messages failed; see \(directory)") }
            }
            if mode == .jetstream, figures["mailboxMs"] == nil,
                (try? await js.streamState(MailboxSubjects.mailboxStream).messages) ?? 0 >= UInt64(count)
            {
                figures["mailboxMs"] = elapsed
            }
            if mode == .jetstream, answeredBack, figures["resultsMs"] == nil,
                (try? await js.streamState(MailboxSubjects.resultsStream).messages) ?? 0 >= UInt64(count)
            {
                figures["resultsMs"] = elapsed
            }
            let wanted = mode == .outbox ? ["ackedMs"] : answeredBack ? ["ackedMs", "mailboxMs", "resultsMs"] : ["ackedMs", "mailboxMs"]
            if wanted.allSatisfy({ figures[$0] != nil }) { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        await observer.close()
        guard let acked = figures["ackedMs"] else { throw BenchError("\(mode): not all \(count) acked; see \(directory)") }
        let (serversAfter, centralAfter) = (try usage(of: servers), try usage(of: [central]))
        figures["perSecond"] = Double(count) / max(acked / 1000, 0.001)
        figures["serversRSSMB"] = serversAfter.rssMB
        figures["serversCPUSeconds"] = serversAfter.cpuSeconds - serversBefore.cpuSeconds
        figures["centralRSSMB"] = centralAfter.rssMB
        figures["centralCPUSeconds"] = centralAfter.cpuSeconds - centralBefore.cpuSeconds
        return figures
    }

    static func line(_ key: String, _ figures: [String: Double]) -> String {
        func ms(_ name: String) -> String { figures[name].map { "\(Int($0)) ms" } ?? "-" }
        return "\(key.padding(toLength: 20, withPad: " ", startingAt: 0)) acked \(ms("ackedMs")) "
            + "(\(Int(figures["perSecond"] ?? 0))/s), in the mailbox \(ms("mailboxMs")), answers kept \(ms("resultsMs")); "
            + "servers \(Int(figures["serversRSSMB"] ?? 0)) MB RSS, \(String(format: "%.1f", figures["serversCPUSeconds"] ?? 0)) s CPU; "
            + "central \(Int(figures["centralRSSMB"] ?? 0)) MB, \(String(format: "%.1f", figures["centralCPUSeconds"] ?? 0)) s CPU"
    }
}
