import Foundation
import Shared

/// One JetStream nats-server started from a shipped `deploy/nats/js-*.conf`, moved onto loopback, free ports, a
/// store directory of its own and a password of the test's own (so a process left over from another test cannot
/// log in).
final class JetStreamServer: @unchecked Sendable {
    let name: String
    let port: Int
    let monitorPort: Int
    let directory: String
    let password: String
    private let configurationPath: String
    private var child: ChildProcess?

    var url: String { "nats://bosun:\(password)@127.0.0.1:\(port)" }
    var log: String { child?.log ?? "" }
    var pid: Int32? { child?.pid }
    var isRunning: Bool { child?.isRunning ?? false }

    /// Writes `example` with `replacements` applied (each must occur in the file) into `directory`.
    init(example: String, name: String, directory: String, port: Int, monitorPort: Int, password: String,
        replacements: [String: String]) throws
    {
        self.name = name
        self.port = port
        self.monitorPort = monitorPort
        self.directory = directory
        self.password = password
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var text = try String(contentsOfFile: JetStreamServer.examples + "/" + example, encoding: .utf8)
        let all = replacements.merging([
            "0.0.0.0:4222": "127.0.0.1:\(port)",
            "/var/lib/nats/jetstream": directory + "/store",
            "http: 127.0.0.1:8222": "http: 127.0.0.1:\(monitorPort)",
            "password: CHANGE-ME": "password: \(password)",
        ]) { $1 }
        for (from, to) in all {
            guard text.contains(from) else { throw TestFailure("\(example) has no \(from)") }
            text = text.replacingOccurrences(of: from, with: to)
        }
        configurationPath = directory + "/" + example
        try text.write(toFile: configurationPath, atomically: true, encoding: .utf8)
    }

    deinit { child?.stop(signal: SIGKILL) }

    static let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("deploy/nats").path

    /// Starts the server (again, after `stop`, on the same ports and store) and waits until it accepts clients.
    func start() async throws {
        let check = try await runProgram(NATSServer.executable, ["-t", "-c", configurationPath])
        guard check.status == 0 else { throw TestFailure("nats-server rejects \(configurationPath): \(check.stderr)") }
        // A new log per start, so readiness is read from this run, not the one before.
        let logPath = directory + "/nats-\(UUID().uuidString.prefix(8)).log"
        let child = try ChildProcess(NATSServer.executable, ["-c", configurationPath], logPath: logPath)
        self.child = child
        // Ready, or failed (a port taken meanwhile): a loaded machine may take long over either.
        guard await eventually(timeout: .seconds(60), {
            child.log.contains("Server is ready") || !child.isRunning
        }), child.log.contains("Server is ready") else {
            throw TestFailure("nats-server \(name) did not start on port \(port): \(child.log)")
        }
    }

    /// Stops the server; SIGKILL simulates the loss of its machine.
    func stop(signal: Int32 = SIGTERM) {
        child?.stop(signal: signal)
        child = nil
    }
}

/// Three JetStream servers from `deploy/nats/js-cluster-{1,2,3}.conf`, routed to each other on loopback.
final class JetStreamCluster: @unchecked Sendable {
    let servers: [JetStreamServer]

    init(directory: String) throws {
        let password = "p" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let routePorts = (0..<3).map { _ in freePort() }
        var servers: [JetStreamServer] = []
        for index in 0..<3 {
            var replacements = ["0.0.0.0:6222": "127.0.0.1:\(routePorts[index])"]
            for peer in 0..<3 { replacements["nats-\(peer + 1):6222"] = "127.0.0.1:\(routePorts[peer])" }
            servers.append(try JetStreamServer(
                example: "js-cluster-\(index + 1).conf", name: "bosun-js-\(index + 1)",
                directory: directory + "/js-\(index + 1)", port: freePort(), monitorPort: freePort(),
                password: password, replacements: replacements))
        }
        self.servers = servers
    }

    /// Every server's URL, comma-separated, as nodes are given them.
    var urls: String { servers.map(\.url).joined(separator: ",") }

    /// Starts all three and waits until each knows the JetStream metadata leader.
    func start() async throws {
        for server in servers { try await server.start() }
        try await waitForMetaLeader()
        try await waitForCurrentPeers()
    }

    /// Waits until the metadata leader sees every other server as current (its monitoring endpoint's `/jsz`): a
    /// stream of three replicas is placed only then ("no suitable peers for placement" before). A loaded machine
    /// has taken longer than a stream's creation retries.
    func waitForCurrentPeers() async throws {
        var seen = ""
        let current = await eventually(timeout: .seconds(60), interval: .milliseconds(200)) {
            for server in servers {
                let jsz = (try? await runProgram("/usr/bin/curl", ["-sS", "http://127.0.0.1:\(server.monitorPort)/jsz"]))?.stdout ?? ""
                guard let object = try? JSONSerialization.jsonObject(with: Data(jsz.utf8)) as? [String: Any],
                    let meta = object["meta_cluster"] as? [String: Any], meta["leader"] as? String == server.name
                else { continue }
                seen = jsz
                let replicas = meta["replicas"] as? [[String: Any]] ?? []
                return replicas.count == servers.count - 1 && replicas.allSatisfy { $0["current"] as? Bool == true }
            }
            return false
        }
        guard current else { throw TestFailure("the JetStream cluster's peers are not all current: \(seen)") }
    }

    /// Waits until every running server answers JetStream API calls (after a start, or a server's loss): a
    /// stream that does not exist is reported as such only once the cluster has its metadata leader.
    func waitForMetaLeader() async throws {
        for server in servers where server.isRunning {
            let connection = try await NATSConnection.connect(NATSConfiguration(servers: [server.url]))
            let js = try JetStream(connection: connection, apiTimeout: .seconds(2))
            let ready = await eventually(timeout: .seconds(30), interval: .milliseconds(100)) {
                do throws(JetStreamError) {
                    _ = try await js.streamState("BOSUN_READINESS_PROBE")
                    return true
                } catch {
                    return error.code == .notFound
                }
            }
            await connection.close()
            guard ready else { throw TestFailure("JetStream on \(server.name) does not answer:\n\(server.log.suffix(3000))") }
        }
    }

    func stop() { for server in servers { server.stop() } }
}

/// Runs `body` with a started three-server JetStream cluster in a temporary directory; stopped and removed after.
func withJetStreamCluster<T>(_ body: (JetStreamCluster) async throws -> T) async throws -> T {
    try await withTemporaryDirectory { directory in
        let cluster = try await startedOnFreePorts { attempt in
            let cluster = try JetStreamCluster(directory: directory + "/\(attempt)")
            return (cluster, { try await cluster.start() }, { cluster.stop() })
        }
        defer { cluster.stop() }
        return try await body(cluster)
    }
}

/// Runs `body` with one started JetStream server from `deploy/nats/js-single.conf`; stopped and removed after.
func withJetStreamServer<T>(_ body: (JetStreamServer) async throws -> T) async throws -> T {
    try await withTemporaryDirectory { directory in
        let password = "p" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let server = try await startedOnFreePorts { attempt in
            let server = try JetStreamServer(
                example: "js-single.conf", name: "bosun-js-1", directory: directory + "/\(attempt)/js", port: freePort(),
                monitorPort: freePort(), password: password, replacements: [:])
            return (server, { try await server.start() }, { server.stop() })
        }
        defer { server.stop() }
        return try await body(server)
    }
}

/// Makes and starts servers, again on fresh ports (up to three times) when a port picked free was taken before the
/// server could bind it: tests running beside each other pick ports, and open connections, at the same time.
private func startedOnFreePorts<S>(
    _ make: (Int) throws -> (S, start: () async throws -> Void, stop: () -> Void)
) async throws -> S {
    for attempt in 1...3 {
        let (made, start, stop) = try make(attempt)
        do {
            try await start()
            return made
        } catch where attempt < 3 && "\(error)".contains("address already in use") {
            stop()
        }
    }
    throw TestFailure("unreachable: the third attempt returns or throws")
}
