import ArgumentParser
import Foundation
import Shared

/// `bosun bench-metrics` (hidden): how fast the central node's metrics store takes samples, one transaction
/// each as the `metrics` handler stores them. A benchmark, not a test: it prints figures.
struct BenchMetricsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-metrics", abstract: "Measure how many metrics samples a second the store takes.",
        shouldDisplay: false)

    @Option(help: "Nodes sending samples.") var nodes = 10_000
    @Option(help: "Samples per node (one every 10 s of sample time).") var samples = 3
    @Option(help: "Samples stored per transaction (the handler's group commit gathers those that arrive together).")
    var batch = 1
    @Option(help: ArgumentHelp("Directory for the temporary metrics.db (removed afterwards).", valueName: "dir"))
    var directory = NSTemporaryDirectory()

    func run() throws {
        let path = "\(directory)/bench-metrics-\(getpid()).db"
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let store = try MetricsStore(path: path)
        let start = Timestamp.now.adding(seconds: -Double(samples) * 10)
        let clock = ContinuousClock()
        var values = 0
        let elapsed = try clock.measure {
            for round in 0..<samples {
                for first in stride(from: 0, to: nodes, by: batch) {
                    let group = (first..<min(nodes, first + batch)).map { node in
                        (node: String(format: "node-%05d", node),
                            sample: Self.sample(node: node, at: start.adding(seconds: Double(round) * 10)))
                    }
                    values += group.reduce(0) { $0 + $1.sample.values.count }
                    try store.record(group, now: group[0].sample.time)
                }
            }
        }
        let count = nodes * samples
        print("\(count) samples (\(values) values) from \(nodes) nodes, \(batch) a transaction, in \(String(format: "%.2f", elapsed.seconds)) s:"
            + " \(Int(Double(count) / elapsed.seconds)) samples/s; \(nodes) nodes every 10 s need \(nodes / 10)/s")
    }

    /// A sample like a Pi's: CPU, load, memory and swap, two disks, temperature, one interface, RSS, queue.
    static func sample(node: Int, at time: Timestamp) -> MetricsSample {
        var sample = MetricsSample(time: time)
        sample.cpu = Double(node % 100)
        sample.load = [0.5, 0.4, 0.3]
        (sample.memTotal, sample.memAvailable, sample.swapTotal, sample.swapFree) = (4 << 30, 2 << 30, 1 << 30, 1 << 29)
        sample.disks = [.init(mount: "/", used: 10 << 30, available: 20 << 30), .init(mount: "/var/lib/bosun", used: 1 << 30, available: 3 << 30)]
        sample.temp = 45 + Double(node % 30)
        sample.net = [.init(name: "eth0", rx: 1 << 30, tx: 1 << 29, rxRate: 1200, txRate: 800)]
        (sample.rss, sample.queue, sample.queueAge) = (18 << 20, 0, nil)
        return sample
    }
}
