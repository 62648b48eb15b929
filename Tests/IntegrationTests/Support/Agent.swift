import Foundation

/// A real `bosun-agent` process for one node.
final class AgentProcess: @unchecked Sendable {
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

    /// Starts the agent; with `waitUntilListening`, returns once it is subscribed.
    func start(waitUntilListening: Bool = true, extraArguments: [String] = []) async throws {
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        let child = try ChildProcess(
            Binaries.agent,
            ["--node", node, "--server", server, "--data-dir", dataDirectory] + extraArguments,
            logPath: dataDirectory + "/agent-\(UUID().uuidString.prefix(8)).log")
        self.child = child
        if waitUntilListening {
            guard await eventually(timeout: .seconds(15), { child.log.contains("listening") }) else {
                throw TestFailure("agent \(node) did not start listening:\n\(child.log)")
            }
        }
    }

    func stop(signal: Int32 = SIGTERM) {
        child?.stop(signal: signal)
    }

    var log: String { child?.log ?? "" }
}

/// Runs the `bosun` binary against `server`.
func bosun(_ arguments: [String], server: String, dataDirectory: String? = nil) async throws -> RunResult {
    var environment = ["BOSUN_SERVER": server]
    if let dataDirectory { environment["BOSUN_DATA_DIR"] = dataDirectory }
    return try await runProgram(Binaries.bosun, arguments, environment: environment)
}
