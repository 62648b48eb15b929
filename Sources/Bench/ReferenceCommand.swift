import ArgumentParser
import Foundation

/// `bosun-bench reference`: the reference workload alone (``ReferenceWorkload``), medians of a few runs.
struct ReferenceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reference",
        abstract: "1,000 `bash -c \"echo hi\"` through a central's inmsg.txt to one agent, against the local floor.")

    @Option(help: "Runs; figures are medians.") var runs = 3
    @Option(help: "Commands per run.") var count = 1000

    func run() async throws {
        let figures = try await Self.measure(count: count, runs: runs)
        print(Self.summary(figures, count: count))
    }

    /// Medians of `runs` runs of the workload.
    static func measure(count: Int, runs: Int) async throws -> [String: Double] {
        var all: [[String: Double]] = []
        for run in 1...runs {
            print("reference workload \(run)/\(runs)…")
            all.append(try await ReferenceWorkload.run(count: count))
        }
        var figures: [String: Double] = [:]
        for key in all[0].keys { figures[key] = median(all.map { $0[key] ?? 0 }) }
        return figures
    }

    static func summary(_ figures: [String: Double], count: Int) -> String {
        func value(_ key: String) -> String { String(format: "%.2f", figures[key] ?? 0) }
        return """
            reference workload, \(count) × bash -c "echo hi" (PATH of \(Int(figures["pathEntries"] ?? 0)) entries, bash at \
            the \(Int(figures["bashAt"] ?? 0))th): \(Int(figures["workloadMs"] ?? 0)) ms against the local floor \
            \(Int(figures["floorMs"] ?? 0)) ms = \(value("ratio"))×
              own CPU per command: agent \(value("agentCPUMsPerCommand")) ms, central \(value("centralCPUMsPerCommand")) ms; \
            agent peak RSS \(value("agentPeakRSSMB")) MB, central RSS after \(value("centralRSSMB")) MB
            """
    }
}
