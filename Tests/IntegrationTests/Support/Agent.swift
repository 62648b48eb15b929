import Foundation
import Shared

/// A real `bosun-agent` (or, with `central`, a `bosun serve`) process for one node.
final class AgentProcess: @unchecked Sendable {
    /// Runs `bosun serve` instead of the agent: the central node's engine.
    var central = false
    /// Trust as a fleet set up by the README's steps: an agent trusts the central node's key (the `central`
    /// directory beside its own, see ``TestFleet``); a central node lets new nodes in (`--auto-approve`). Off, the
    /// process starts with the defaults alone.
    var fleetTrust = true
    let node: String
    let dataDirectory: String
    let server: String
    private(set) var child: ChildProcess?

    init(node: String, server: String, dataDirectory: String) {
        self.node = node
        self.server = server
        self.dataDirectory = dataDirectory
    }

    deinit { child?.stop(signal: SIGKILL) }

    /// The central node's engine (`bosun serve`), its data in `<directory>/central`.
    static func central(server: String, directory: String) -> AgentProcess {
        let process = AgentProcess(node: "central", server: server, dataDirectory: directory + "/central")
        process.central = true
        return process
    }

    /// Starts the agent; with `waitUntilListening`, returns once it is subscribed.
    func start(waitUntilListening: Bool = true, extraArguments: [String] = []) async throws {
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        let trust = fleetTrust ? try TestFleet.arguments(central: central, dataDirectory: dataDirectory) : []
        let child = try ChildProcess(
            central ? Binaries.bosun : Binaries.agent,
            (central ? ["serve"] : []) + ["--node", node, "--server", server, "--data-dir", dataDirectory]
                + metricsOff(extraArguments) + trust + extraArguments,
            logPath: dataDirectory + "/agent-\(UUID().uuidString.prefix(8)).log")
        self.child = child
        if waitUntilListening {
            guard await eventually(timeout: .seconds(15), { child.log.contains("listening") }) else {
                throw TestFailure("agent \(node) did not start listening:\n\(child.log)")
            }
        }
    }

    /// Agents send no metrics unless a test asks (`--metrics-interval`), so they do not add to the outbox counts
    /// other tests assert.
    /// Metrics off unless the test sets them (by flag, or in the configuration file it names).
    private func metricsOff(_ arguments: [String]) -> [String] {
        central || arguments.contains("--metrics-interval") || arguments.contains("--config")
            ? [] : ["--metrics-interval", "0"]
    }

    func stop(signal: Int32 = SIGTERM) {
        child?.stop(signal: signal)
    }

    /// Writes `inmsg.txt` in one go (the engine reads it when the writer closes it).
    func write(inmsg json: String) throws {
        try json.write(toFile: dataDirectory + "/inmsg.txt", atomically: false, encoding: .utf8)
    }

    /// Drops a batch into `inbox/` (written beside it, then renamed in, so it is never read half-written).
    func drop(inbox json: String, name: String) throws {
        let inbox = dataDirectory + "/inbox"
        try FileManager.default.createDirectory(atPath: inbox, withIntermediateDirectories: true)
        try json.write(toFile: dataDirectory + "/." + name, atomically: false, encoding: .utf8)
        try FileManager.default.moveItem(atPath: dataDirectory + "/." + name, toPath: inbox + "/" + name)
    }

    /// The outbox as `bosun messages --json` prints it.
    func messages() async throws -> [[String: Any]] {
        let result = try await runProgram(Binaries.bosun, ["messages", "--json", "--limit", "100000", "--data-dir", dataDirectory])
        return result.stdout.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    /// The text fields of the newest message's reply (status, stdout, …).
    func newestReply() async throws -> [String: String] {
        guard let reply = try await messages().first?["reply"] as? [String: Any] else { return [:] }
        return reply.compactMapValues { $0 as? String }
    }

    /// The ids of the journal's entries of one event, in file order.
    func journalIDs(_ event: String) -> [String] {
        journal(event).compactMap { $0["id"] as? String }
    }

    /// The journal's entries of one event, in file order.
    func journal(_ event: String) -> [[String: Any]] {
        let text = (try? String(contentsOfFile: dataDirectory + "/journal.jsonl", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }.filter { $0["event"] as? String == event }
    }

    var log: String { child?.log ?? "" }

    /// The central error log on this node's data directory, as `bosun errors --json` prints it ("" if unreadable).
    func errorLog() async -> String {
        (try? await runProgram(Binaries.bosun, ["errors", "--json", "--data-dir", dataDirectory]).stdout) ?? ""
    }
}

/// Runs the `bosun` binary against `server`.
func bosun(_ arguments: [String], server: String, dataDirectory: String? = nil) async throws -> RunResult {
    var environment = ["BOSUN_SERVER": server]
    // Never the operator's own ~/.bosun: each call gets a fresh central data directory unless given one.
    let scratch = dataDirectory == nil ? NSTemporaryDirectory() + "bosun-cli-\(UUID().uuidString)" : nil
    environment["BOSUN_DATA_DIR"] = dataDirectory ?? scratch
    defer { if let scratch { try? FileManager.default.removeItem(atPath: scratch) } }
    if let scratch {
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        try TestFleet.scratchKey.save(path: scratch + "/node.key")
    }
    return try await runProgram(Binaries.bosun, arguments, environment: environment)
}

/// Runs `body` with a started nats-server, a temporary directory and the central engine (`bosun serve`, its data
/// in `<directory>/central`), all stopped afterwards.
func withCentral<T>(
    arguments: [String] = [], _ body: (NATSServer, String, AgentProcess) async throws -> T
) async throws -> T {
    try await withNATSServer { server in
        try await withTemporaryDirectory { directory in
            let central = AgentProcess.central(server: server.url, directory: directory)
            defer { central.stop() }
            try await central.start(extraArguments: arguments)
            return try await body(server, directory, central)
        }
    }
}

/// ``withCentral(_:)`` plus a started agent for node `edge`, its data in `<directory>/edge`.
func withCentralAndEdge<T>(_ body: (NATSServer, String, AgentProcess, AgentProcess) async throws -> T) async throws -> T {
    try await withCentral { server, directory, central in
        let agent = AgentProcess(node: "edge", server: server.url, dataDirectory: directory + "/edge")
        defer { agent.stop() }
        try await agent.start()
        return try await body(server, directory, central, agent)
    }
}

/// The keys of a test's fleet, as the README's set-up makes them: the central node's key, in the `central` data
/// directory beside the agents' (made if it is not there yet), trusted by every agent; and the key of the scratch
/// data directories ``bosun(_:server:dataDirectory:)`` makes, trusted too.
enum TestFleet {
    static let scratchKey = NodeKey()

    /// The trust arguments for a process on `dataDirectory`.
    static func arguments(central: Bool, dataDirectory: String) throws -> [String] {
        if central { return ["--auto-approve"] }
        let centralDirectory = (dataDirectory as NSString).deletingLastPathComponent + "/central"
        return ["--trust", try centralKey(dataDirectory: centralDirectory).publicKey, "--trust", scratchKey.publicKey]
    }

    /// The key of the central node whose data directory is `dataDirectory`, made there if there is none.
    static func centralKey(dataDirectory: String) throws -> NodeKey {
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        return try NodeKey.loadOrCreate(path: dataDirectory + "/node.key")
    }
}
