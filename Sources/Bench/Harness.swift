import Foundation
import Logging
import Shared

/// Real processes for a benchmark run: a nats-server on a free port and `bosun-agent`s, stopped on exit.
final class Harness: @unchecked Sendable {
    // Mutated only from the benchmark's single sequential flow; @unchecked because Process is not Sendable.
    let directory: String
    private(set) var serverURL = ""
    private var children: [Process] = []
    /// The key the central node signs with (in-process or not): every agent started here trusts it.
    let centralKey = NodeKey()
    /// The agents started here: the central engines started after them have their keys approved, as an operator
    /// would have (`bosun nodes approve`), so that they are measured as a fleet runs.
    private var agents: [String] = []

    init() throws {
        directory = NSTemporaryDirectory() + "bosun-bench-\(UUID().uuidString.prefix(8))"
        for name in ["central", "central-process"] {
            try FileManager.default.createDirectory(atPath: directory + "/" + name, withIntermediateDirectories: true)
            try centralKey.save(path: directory + "/" + name + "/node.key")
        }
    }

    deinit {
        // Clients first, the nats-server last. A process that has not ended 10 s after SIGTERM is killed, and said
        // so: `bosun --headless` under the swarm's metrics load has been seen to hang on SIGTERM.
        for child in children.reversed() where child.isRunning {
            child.terminate()
            let deadline = ContinuousClock.now + .seconds(10)
            while child.isRunning, ContinuousClock.now < deadline { usleep(50_000) }
            if child.isRunning {
                FileHandle.standardError.write(
                    Data("bosun-bench: \(child.executableURL?.lastPathComponent ?? "?") did not end on SIGTERM; killed\n".utf8))
                kill(child.processIdentifier, SIGKILL)
            }
            child.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Starts nats-server and waits for it to be ready.
    func startServer() async throws {
        guard let port = Loopback.freePort() else { throw BenchError("no free port") }
        let log = directory + "/nats.log"
        _ = try spawn(Self.natsServer, ["-a", "127.0.0.1", "-p", String(port)], log: log)
        try await waitFor("nats-server ready", log: log, text: "Server is ready")
        serverURL = "nats://127.0.0.1:\(port)"
    }

    /// Starts `bosun-agent` for `node` and waits until it listens.
    @discardableResult
    func startAgent(node: String, extra: [String] = [], environment: [String: String]? = nil) async throws -> Process {
        let log = directory + "/\(node).log"
        let process = try spawn(
            Self.sibling("bosun-agent"),
            ["--node", node, "--server", serverURL, "--data-dir", directory + "/" + node, "--log-level", "info",
             "--trust", centralKey.publicKey] + extra,
            log: log, environment: environment)
        try await waitFor("agent \(node) listening", log: log, text: "listening")
        agents.append(node)
        return process
    }

    /// Starts `bosun --headless` (the central engine in a process of its own, data in `<directory>/<name>`) and
    /// waits until it listens.
    func startCentral(directory name: String = "central-process", environment: [String: String]? = nil) async throws -> Process {
        let log = directory + "/\(name).log"
        let process = try spawn(
            Self.sibling("bosun"),
            ["--headless", "--server", serverURL, "--data-dir", directory + "/" + name, "--auto-approve"],
            log: log, environment: environment)
        try await waitFor("central listening", log: log, text: "listening")
        return process
    }

    /// Starts `bosun-agent --swarm count` and waits until its nodes listen.
    @discardableResult
    func startSwarm(count: Int, prefix: String = "sim-", extra: [String] = []) async throws -> Process {
        let log = directory + "/swarm-\(prefix)\(count).log"
        let process = try spawn(
            Self.sibling("bosun-agent"),
            ["--swarm", String(count), "--node-prefix", prefix, "--server", serverURL, "--hello-interval", "60"] + extra,
            log: log)
        try await waitFor("swarm of \(count)", log: log, text: "listening")
        return process
    }

    /// Starts this benchmark binary's raw responder (plain libnats, no engine) and waits until it listens.
    func startRawResponder() async throws {
        let log = directory + "/raw.log"
        _ = try spawn(Self.sibling("bosun-bench"), ["raw-responder", "--server", serverURL], log: log)
        try await waitFor("raw responder", log: log, text: "listening")
    }

    /// A central node's engine in this process, its data in `<directory>/<name>`.
    /// `signs: false` signs nothing and takes unsigned answers (`--insecure-sign-nothing`): the engine without
    /// cryptography.
    func runtime(node: String = "central", directory name: String = "central", signs: Bool = true) async throws -> NodeRuntime {
        var configuration = NodeRuntime.Configuration(
            node: node, dataDirectory: directory + "/" + name, nats: NATSConfiguration(servers: [serverURL]))
        configuration.watchInputs = false
        configuration.nats.sendAsap = true
        configuration.trust.autoApprove = true
        configuration.signs = signs
        configuration.trust.acceptUnsigned = !signs
        let trust = configuration.trust
        try FileManager.default.createDirectory(atPath: configuration.dataDirectory, withIntermediateDirectories: true)
        let store = try Store(path: configuration.dataDirectory + "/state.db")
        for agent in agents {
            let key = try NodeKey.load(path: directory + "/" + agent + "/node.key")
            _ = try store.pinKey(node: agent, key: key.publicKey, at: .now)
        }
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        return try await NodeRuntime(configuration: configuration, connectFor: .seconds(5), logger: logger) {
            CentralHandlers.make(store: $0, errors: $1, trust: trust)
        }
    }

    func connection() async throws -> NATSConnection {
        var configuration = NATSConfiguration(servers: [serverURL])
        configuration.sendAsap = true
        return try await NATSConnection.connect(configuration)
    }

    func spawn(
        _ executable: String, _ arguments: [String], log: String, environment: [String: String]? = nil
    ) throws -> Process {
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        children.append(process)
        return process
    }

    func waitFor(_ what: String, log: String, text: String) async throws {
        for _ in 0..<500 {
            if let contents = try? String(contentsOfFile: log, encoding: .utf8), contents.contains(text) { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw BenchError("\(what) did not start; see \(log)")
    }

    /// A program built beside this one (`.build/release/bosun-agent` next to `.build/release/bosun-bench`).
    static func sibling(_ name: String) -> String {
        URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent(name).path
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Waits for outbox records to reach a final state, via the outbox's observer.
final class Finals: @unchecked Sendable {
    // All state behind `lock`.
    private let lock = NSLock()
    private var waiters: [String: CheckedContinuation<OutboxState, Never>] = [:]
    private var done: [String: OutboxState] = [:]
    /// The messages seen final: an observer may hear of one final record twice (shown before its commit, then
    /// read back after it), so messages are counted, not notifications.
    private var finals: Set<String> = []
    private var count: Int { finals.count }
    private var countWaiter: (target: Int, continuation: CheckedContinuation<Void, Never>)?

    init(_ outbox: Outbox) {
        _ = outbox.addObserver { [weak self] event in
            guard event.state.isFinal else { return }
            self?.finished(event.id, event.state)
        }
    }

    private func finished(_ id: String, _ state: OutboxState) {
        lock.lock()
        finals.insert(id)
        let waiter = waiters.removeValue(forKey: id)
        if waiter == nil { done[id] = state }
        var reached: CheckedContinuation<Void, Never>?
        if let target = countWaiter, count >= target.target {
            reached = target.continuation
            countWaiter = nil
        }
        lock.unlock()
        waiter?.resume(returning: state)
        reached?.resume()
    }

    /// The final state of message `id`.
    func final(_ id: String) async -> OutboxState {
        await withCheckedContinuation { continuation in
            lock.lock()
            if let state = done.removeValue(forKey: id) {
                lock.unlock()
                continuation.resume(returning: state)
            } else {
                waiters[id] = continuation
                lock.unlock()
            }
        }
    }

    /// Waits until `target` records in all have become final.
    func total(reaching target: Int) async {
        await withCheckedContinuation { continuation in
            lock.lock()
            if count >= target {
                lock.unlock()
                continuation.resume()
            } else {
                countWaiter = (target, continuation)
                lock.unlock()
            }
        }
    }
}

/// Percentiles of a sample, in milliseconds.
struct Latencies: Codable {
    var p50: Double
    var p99: Double

    init(_ samples: [Duration]) {
        let sorted = samples.map { $0.milliseconds }.sorted()
        p50 = sorted.isEmpty ? 0 : sorted[sorted.count / 2]
        p99 = sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * 0.99))]
    }
}

extension Duration {
    var milliseconds: Double { Double(components.seconds) * 1000 + Double(components.attoseconds) / 1e15 }
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
}
