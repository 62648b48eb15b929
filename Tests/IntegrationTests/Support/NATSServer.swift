import Foundation

/// A real nats-server on a free loopback port, with its own store directory and pid file.
final class NATSServer: @unchecked Sendable {
    let port: Int
    let directory: String
    private var child: ChildProcess?

    var url: String { "nats://127.0.0.1:\(port)" }

    init(directory: String, port: Int = freePort()) {
        self.port = port
        self.directory = directory
    }

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
        child = try ChildProcess(
            Self.executable,
            ["-a", "127.0.0.1", "-p", String(port), "-P", directory + "/nats.pid", "-sd", directory + "/store"],
            logPath: directory + "/nats.log")
        let port = self.port
        guard await eventually(timeout: .seconds(10), { isListening(port: port) }) else {
            throw TestFailure("nats-server did not start on port \(port): \(child?.log ?? "")")
        }
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
        let server = NATSServer(directory: directory + "/nats")
        try await server.start()
        defer { server.stop() }
        return try await body(server)
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
