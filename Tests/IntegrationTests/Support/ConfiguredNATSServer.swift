import Foundation

/// A real nats-server started from a configuration file the test writes: TLS, users, NKeys, operator mode.
///
/// `configuration` is the body of the file without `listen`, which is set to a free loopback port.
final class ConfiguredNATSServer: @unchecked Sendable {
    let port: Int
    let directory: String
    private var child: ChildProcess?

    init(directory: String, port: Int = freePort()) {
        self.directory = directory
        self.port = port
    }

    deinit { child?.stop(signal: SIGKILL) }

    /// The server's URL with `scheme` and, if given, `user:password@` or `token@`.
    func url(scheme: String = "nats", credentials: String? = nil) -> String {
        "\(scheme)://\(credentials.map { $0 + "@" } ?? "")127.0.0.1:\(port)"
    }

    /// Writes the configuration, checks it with `nats-server -t`, starts the server and waits until it is ready.
    func start(configuration: String) async throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let file = directory + "/nats.conf"
        let text = """
            listen: "127.0.0.1:\(port)"
            pid_file: "\(directory)/nats.pid"
            \(configuration)
            """
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        let check = try await runProgram(NATSServer.executable, ["-t", "-c", file])
        guard check.status == 0 else { throw TestFailure("nats-server rejects \(file):\n\(text)\n\(check.stderr)") }
        let child = try ChildProcess(NATSServer.executable, ["-c", file], logPath: directory + "/nats.log")
        self.child = child
        try await waitUntilReady(child, port: port)
    }

    var log: String { child?.log ?? "" }

    func stop() {
        child?.stop(signal: SIGKILL)
        child = nil
    }
}
