/// Runs `body` with a started nats-server's URL and a fresh temporary directory, both cleaned up on every path.
func withServerAndDirectory(_ body: (_ server: String, _ directory: String) async throws -> Void) async throws {
    try await withNATSServer { server in
        try await withTemporaryDirectory { directory in
            try await body(server.url, directory)
        }
    }
}

extension AgentProcess {
    /// An input of `log` events to the central node's log `app`, one for each number: `line <n>`.
    static func logEvents(_ range: Range<Int>) -> String {
        "[" + range.map { #"{"toNode":"central","method":"log","methodArgs":["app"],"data":"line \#($0)\n"}"# }
            .joined(separator: ",") + "]"
    }

    /// The lines of log `name` that `node` sent this central node, as written so far.
    func logLines(from node: String, name: String = "app") -> [Substring] {
        let path = dataDirectory + "/logs/\(node)/\(name).log"
        return ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n")
    }
}
