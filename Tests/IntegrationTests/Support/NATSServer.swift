import Foundation

/// A real nats-server on a free loopback port, with its own store directory, pid file and auth token.
///
/// The token keeps each test's server to its own clients: a process left over from another test (or another
/// run) that reconnects forever to a port this server now reuses is refused, and cannot answer for this test's
/// nodes.
final class NATSServer: @unchecked Sendable {
    let port: Int
    let directory: String
    let token: String
    /// In a cluster: the port for routes from the other servers, and their route ports.
    let clusterPort: Int?
    let routes: [Int]
    private var child: ChildProcess?

    var url: String { "nats://\(token)@127.0.0.1:\(port)" }

    init(
        directory: String, port: Int = freePort(), token: String = NATSServer.newToken(), clusterPort: Int? = nil,
        routes: [Int] = []
    ) {
        self.port = port
        self.directory = directory
        self.token = token
        self.clusterPort = clusterPort
        self.routes = routes
    }

    static func newToken() -> String { "t" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased() }

    deinit { child?.stop(signal: SIGKILL) }

    static let executable: String = {
        for candidate in ["/usr/sbin/nats-server", "/usr/bin/nats-server", "/usr/local/bin/nats-server"]
        where FileManager.default.isExecutableFile(atPath: candidate) {
            return candidate
        }
        return "nats-server"
    }()

    /// Starts the server and waits until it accepts connections.
    func start() async throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var arguments = ["-a", "127.0.0.1", "-p", String(port), "--auth", token, "-P", directory + "/nats.pid", "-sd", directory + "/store"]
        if let clusterPort {
            arguments += ["--cluster_name", "bosun-test", "--cluster", "nats://127.0.0.1:\(clusterPort)"]
            arguments += ["--routes", routes.map { "nats://127.0.0.1:\($0)" }.joined(separator: ",")]
        }
        child = try ChildProcess(Self.executable, arguments, logPath: directory + "/nats.log")
        if let child { try await waitUntilReady(child, port: port) }
    }

    /// The routes to other cluster servers this server's log reports as established.
    var routeCount: Int {
        (child?.log ?? "").components(separatedBy: "Route connection created").count - 1
    }

    /// Stops the server (SIGKILL simulates a crash).
    func stop(signal: Int32 = SIGTERM) {
        child?.stop(signal: signal)
        child = nil
    }
}

/// Runs `body` with a started nats-server, stopped afterwards on every path.
func withNATSServer<T>(_ body: (NATSServer) async throws -> T) async throws -> T {
    try await withTemporaryDirectory { directory in
        let server = try await startedServer(directory: directory + "/nats")
        defer { server.stop() }
        return try await body(server)
    }
}

/// A started server. A start that fails is tried again on a new free port, twice at most: the port was free when it
/// was picked, and another process may take it before the server binds it (a full run on a busy machine once saw a
/// server that never said it was ready).
private func startedServer(directory: String) async throws -> NATSServer {
    var attempts = 0
    while true {
        let server = NATSServer(directory: directory)
        do {
            try await server.start()
            return server
        } catch {
            server.stop()
            attempts += 1
            if attempts == 3 { throw error }
        }
    }
}

/// Runs `body` with a started nats-server's URL and a new temporary directory.
func withNATSServerAndDirectory<T>(_ body: (String, String) async throws -> T) async throws -> T {
    try await withNATSServer { server in
        try await withTemporaryDirectory { directory in try await body(server.url, directory) }
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Waits until `server` says it is ready in its own log (not merely "something listens on the port": that could be
/// another test's server). A server that exits (its port taken meanwhile, say) fails at once with its log; one that
/// is merely slow, on a machine busy with the rest of the suite, is given 30 seconds.
func waitUntilReady(_ server: ChildProcess, port: Int) async throws {
    let ready = await eventually(timeout: .seconds(30)) { server.log.contains("Server is ready") || !server.isRunning }
    guard ready, server.log.contains("Server is ready") else {
        let why = server.isRunning ? "not ready after 30 s" : "exited with status \(server.exitStatus ?? -1)"
        throw TestFailure("nats-server on port \(port) \(why): \(server.log)")
    }
}
