import ArgumentParser
import Foundation
import Shared

/// `bosun-bench swarm-metrics`: a central node (`bosun --headless`) taking metrics from a swarm of simulated nodes
/// (`bosun-agent --swarm N --metrics-interval S`), each sending one sample every S seconds as an agent does: the
/// central's CPU and RSS over a window after a warm-up, and whether it stored every sample sent in that window.
struct SwarmMetricsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "swarm-metrics", abstract: "Measure the central node's load with a swarm sending metrics.")

    @Option(help: "Simulated nodes.") var nodes = 10_000
    @Option(help: "Seconds between each node's samples.") var interval = 10.0
    @Option(help: "Seconds to let the swarm's hellos and first samples settle before measuring.") var warmup = 30.0
    @Option(help: "Seconds measured.") var window = 60.0

    func run() async throws {
        let harness = try Harness()
        try await harness.startServer()
        let central = try await harness.startCentral()
        let directory = harness.directory + "/central-process"
        try await harness.startSwarm(count: nodes, extra: ["--metrics-interval", String(interval)])
        let swarmLog = harness.directory + "/swarm-sim-\(nodes).log"
        print("swarm of \(nodes) up, a sample each \(interval) s; warming up \(Int(warmup)) s…")
        try await Task.sleep(for: .seconds(warmup))
        let store = try MetricsStore(path: directory + "/metrics.db")
        let rowsBefore = try store.rowCounts()[.raw] ?? 0
        let before = try ProcessFigures(pid: central.processIdentifier)
        let swarmBefore = Self.counts(swarmLog)
        let start = ContinuousClock.now
        try await Task.sleep(for: .seconds(window))
        let after = try ProcessFigures(pid: central.processIdentifier)
        let elapsed = (ContinuousClock.now - start).milliseconds / 1000
        let rowsAfter = try store.rowCounts()[.raw] ?? 0
        let swarmAfter = Self.counts(swarmLog)
        let cpu = (after.cpuMilliseconds - before.cpuMilliseconds) / 10 / elapsed
        let valuesPerSecond = Double(rowsAfter - rowsBefore) / elapsed
        // Values a sample stores, from one made like the swarm's: what the swarm's rate should give.
        let perSample = Double(try store.latest(node: "sim-0").count)
        let expected = Double(nodes) / interval * perSample
        print(
            String(
                format: "central over %.0f s: CPU %.1f%% of a core, RSS %.1f MB (peak %.1f MB); stored %.0f values/s of %.0f/s sent (%.0f%%, %.0f samples/s)",
                elapsed, cpu, after.rssKB / 1024, after.peakKB / 1024, valuesPerSecond, expected,
                valuesPerSecond * 100 / max(expected, 1), valuesPerSecond / max(perSample, 1)))
        // The swarm logs its totals once a round: rates over whole rounds near the window.
        print(
            String(
                format: "swarm: sent %.0f samples/s, central ACKed %.0f/s (totals from its log, per round; %.0f/s asked)",
                Double(swarmAfter.sent - swarmBefore.sent) / elapsed, Double(swarmAfter.acked - swarmBefore.acked) / elapsed,
                Double(nodes) / interval))
    }

    /// The latest `sent=` and `acked=` totals the swarm logged.
    static func counts(_ log: String) -> (sent: Int, acked: Int) {
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        func last(_ key: String) -> Int {
            guard let range = text.range(of: key + "=", options: .backwards) else { return 0 }
            return Int(text[range.upperBound...].prefix { $0.isNumber }) ?? 0
        }
        return (last("sent"), last("acked"))
    }
}
