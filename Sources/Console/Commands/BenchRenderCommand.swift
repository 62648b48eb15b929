import ArgumentParser
import Foundation
import Shared

/// `bosun bench-render` (hidden): how long one frame takes to render, and the process's RSS, with a large
/// synthetic fleet in the console's state. A benchmark, not a test: it prints figures.
struct BenchRenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-render", abstract: "Measure frame render time and RSS with a large fleet.",
        shouldDisplay: false)

    @Option(help: "Known nodes.") var nodes = 10_000
    @Option(help: "Messages in the outbox.") var messages = 100_000
    @Option(help: "Frames to render.") var frames = 200
    @Option(help: "Terminal columns.") var cols = 120
    @Option(help: "Terminal rows.") var rows = 40
    @Flag(inversion: .prefixedNo, help: "Give every node metrics (60 samples of CPU, memory, disk, temperature).")
    var metrics = true
    @Option(help: ArgumentHelp("Instead: write the fleet (messages acked or failed) into this data directory's store, to measure a real console on it.", valueName: "dir"))
    var seed: String?

    func run() throws {
        let rssBefore = Self.residentMegabytes()
        let now = Timestamp.now
        let fleet = (0..<nodes).map { index in
            NodeRecord(
                name: String(format: "node-%05d", index),
                facts: Array(#"{"version":"0.4.1","hostname":"node","os":"linux","arch":"arm64","uptime":3600}"#.utf8),
                lastSeen: now.adding(seconds: -Double(index % 90)), helloInterval: 10, firstSeen: now)
        }
        let states: [OutboxState] = seed == nil ? [.acked, .acked, .acked, .failed, .queued, .sending] : [.acked, .failed]
        let outbox = (0..<messages).reversed().map { index in
            let id = MessageID.make(now: now.adding(seconds: -Double(messages - index)))
            let node = fleet[index % max(1, nodes)].name
            let message = Message(
                id: id, toNode: node, fromNode: "central", method: .cliCommand, methodArgs: ["uptime"],
                createdAt: now.adding(seconds: -Double(messages - index)))
            let state = states[index % states.count]
            let reply = state == .acked
                ? Reply(id: id, fromNode: node, status: .ok, exitCode: 0, stdout: " 10:00:00 up 3 days, load 0.1\n") : nil
            return OutboxRecord(
                sequence: Int64(index + 1), message: message, state: state, attempts: 1, reply: reply, updatedAt: now)
        }
        if let seed {
            try Self.write(fleet: fleet, outbox: outbox, dataDirectory: seed, now: now)
            print("wrote \(fleet.count) nodes and \(outbox.count) messages to \(seed)/state.db")
            return
        }
        var state = ConsoleState(serverURL: "nats://bench:4222", now: now)
        _ = reduce(&state, .resize(cols: cols, rows: rows))
        _ = reduce(&state, .connection("connected"))
        let clock = ContinuousClock()
        let snapshotTime = clock.measure {
            _ = reduce(&state, .snapshot(nodes: fleet, messages: outbox, errors: []))
        }
        var metricsTime: Duration?
        if metrics {
            let update = ConsoleEvent.metrics(Self.metrics(fleet: fleet, now: now))
            metricsTime = clock.measure { _ = reduce(&state, update) }
        }
        let rssWithState = Self.residentMegabytes()

        var times: [Duration] = []
        var byPane: [Pane: [Duration]] = [:]
        for frame in 0..<frames {
            // Move the selection and the clock, as an operator and the ticks would.
            _ = reduce(&state, .key(frame % 2 == 0 ? .char("j") : .tab))
            _ = reduce(&state, .tick(now.adding(seconds: Double(frame))))
            var rendered: Frame?
            let time = clock.measure { rendered = render(state, cols: cols, rows: rows) }
            precondition(rendered?.rows == rows)
            times.append(time)
            byPane[state.focus, default: []].append(time)
        }
        times.sort()
        func ms(_ duration: Duration) -> String { String(format: "%.2f ms", duration.seconds * 1000) }
        print("fleet: \(nodes) nodes, \(messages) messages; frame \(cols)×\(rows); \(frames) frames")
        print("render: median \(ms(times[times.count / 2])), p95 \(ms(times[times.count * 95 / 100])), max \(ms(times.last!))")
        for (pane, paneTimes) in byPane.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            print("  focus \(pane.title): median \(ms(paneTimes.sorted()[paneTimes.count / 2]))")
        }
        print("snapshot reduce (all nodes and messages replaced): \(ms(snapshotTime))")
        if let metricsTime { print("metrics reduce (every node's replaced, the overview's figures worked out): \(ms(metricsTime))") }
        if metrics {
            _ = reduce(&state, .key(.char("o")))
            let overview = (0..<20).map { _ in clock.measure { _ = render(state, cols: cols, rows: rows) } }.sorted()
            print("fleet overview (metrics of \(nodes) nodes): median \(ms(overview[overview.count / 2]))")
        }
        print(String(format: "RSS: %.1f MB at start, %.1f MB with the state, %.1f MB after rendering", rssBefore, rssWithState, Self.residentMegabytes()))
    }

    /// Ten minutes of samples for every node, each node's own level.
    private static func metrics(fleet: [NodeRecord], now: Timestamp) -> [String: NodeMetrics] {
        var result: [String: NodeMetrics] = [:]
        for (index, node) in fleet.enumerated() {
            var metrics = NodeMetrics(time: now)
            for step in 0..<NodeMetrics.historyLength {
                let level = Double((index * 7 + step) % 100)
                metrics.add(time: now.adding(seconds: Double(step - NodeMetrics.historyLength) * 10), [
                    .cpu: level, .mem: 40 + level / 2, .disk: Double(index % 100), .temp: 40 + Double(index % 45),
                ])
            }
            metrics.queue = index % 13
            result[node.name] = metrics
        }
        return result
    }

    /// Stores the synthetic fleet, so that a real `bosun` can be measured with it.
    private static func write(fleet: [NodeRecord], outbox: [OutboxRecord], dataDirectory: String, now: Timestamp) throws {
        try FileSystem.makeDirectory(dataDirectory)
        let store = try Store(path: dataDirectory + "/state.db")
        for node in fleet {
            try store.recordHello(node: node.name, facts: node.facts, helloInterval: node.helloInterval, at: node.lastSeen ?? now)
        }
        let oldestFirst = Array(outbox.reversed())
        for start in stride(from: 0, to: oldestFirst.count, by: 5000) {
            let batch = oldestFirst[start..<min(oldestFirst.count, start + 5000)]
            _ = try store.accept(batch.map(\.message), now: now)
            for record in batch {
                try store.updateOutbox(id: record.id, state: record.state, attempts: 1, reply: .some(record.reply), now: now)
            }
        }
    }

    /// This process's resident set size, from /proc/self/status.
    static func residentMegabytes() -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
        else { return 0 }
        let kilobytes = line.split(separator: " ").dropFirst().first.flatMap { Double($0) } ?? 0
        return kilobytes / 1024
    }
}
