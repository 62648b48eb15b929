import Foundation
import Testing

/// fileWrite, fileAppend, fileRead and status on a real agent, sent with the real `bosun`.
@Suite(.serialized)
struct FileMethodTests {
    /// A started agent whose data is in `<directory>/<node>` and that may use the files in `allowing`.
    private func startAgent(_ node: String, server: String, directory: String, allowing: String) async throws
        -> AgentProcess
    {
        let agent = AgentProcess(node: node, server: server, dataDirectory: directory + "/" + node)
        try await agent.start(extraArguments: ["--allow-dir", allowing])
        return agent
    }

    @Test func writeAppendAndReadAFileInAnAllowedDirectory() async throws {
        try await withServerAndDirectory { server, directory in
            let allowed = directory + "/allowed"
            try FileManager.default.createDirectory(atPath: allowed, withIntermediateDirectories: true)
            let agent = try await startAgent("files", server: server, directory: directory, allowing: allowed)
            defer { agent.stop() }
            let path = allowed + "/notes.txt"

            let write = try await bosun(
                ["send", "--to", "files", "--method", "fileWrite", "--data", "first line\n", "--", path], server: server)
            #expect(write.status == 0, "stderr: \(write.stderr)")
            let append = try await bosun(
                ["send", "--to", "files", "--method", "fileAppend", "--data", "second line\n", "--", path],
                server: server)
            #expect(append.status == 0, "stderr: \(append.stderr)")
            #expect(try String(contentsOfFile: path, encoding: .utf8) == "first line\nsecond line\n")

            let read = try await bosun(["send", "--to", "files", "--method", "fileRead", "--", path], server: server)
            #expect(read.status == 0, "stderr: \(read.stderr)")
            #expect(read.stdout == "first line\nsecond line\n")
            let part = try await bosun(
                ["send", "--to", "files", "--method", "fileRead", "--", "--offset=6", "--length=4", path], server: server)
            #expect(part.stdout == "line")
        }
    }

    @Test func commandGetsTheMessageDataAsAFileAndItsDirectoryAndEnvironment() async throws {
        try await withServerAndDirectory { server, directory in
            let agent = try await startAgent("cmd", server: server, directory: directory, allowing: directory)
            defer { agent.stop() }
            let cat = try await bosun(
                ["send", "--to", "cmd", "--data", "from the message\n", "--", "cat", "{{BOSUN_DATA}}"], server: server)
            #expect(cat.status == 0, "stderr: \(cat.stderr)")
            #expect(cat.stdout == "from the message\n")
            let leftovers = (try? FileManager.default.contentsOfDirectory(atPath: agent.dataDirectory + "/tmp")) ?? []
            #expect(leftovers.isEmpty)

            let shell = try await bosun(
                ["send", "--to", "cmd", "--", "--cwd=\(directory)", "--env=GREETING=hi there", "--shell", "echo \"$GREETING\"; pwd"],
                server: server)
            #expect(shell.status == 0, "stderr: \(shell.stderr)")
            let real = URL(fileURLWithPath: directory).resolvingSymlinksInPath().path
            #expect(shell.stdout == "hi there\n\(real)\n" || shell.stdout == "hi there\n\(directory)\n", "\(shell.stdout)")
        }
    }

    @Test func binaryContentTravelsAsBase64() async throws {
        try await withServerAndDirectory(binaryScenario)
    }

    private func binaryScenario(server: String, directory: String) async throws {
        let agent = try await startAgent("files", server: server, directory: directory, allowing: directory)
        defer { agent.stop() }
        let bytes = Data([0, 255, 1, 254, 10, 13])
        let path = directory + "/blob.bin"
        let message: [String: Any] = [
            "toNode": "files", "method": "fileWrite", "methodArgs": [path],
            "data": bytes.base64EncodedString(), "dataEncoding": "base64",
        ]
        let lines = try exchange(unixSocket: agent.dataDirectory + "/bosun.sock", try jsonText(message))
        #expect(lines.count == 1 && lines[0].contains("\"id\""), "\(lines)")
        #expect(await eventually { FileManager.default.contents(atPath: path) == bytes })

        let read = try await bosun(
            ["send", "--to", "files", "--method", "fileRead", "--", "--encoding=base64", path], server: server)
        #expect(read.stdout == bytes.base64EncodedString())
    }

    @Test func statusTellsWhatTheAgentOffersAndHolds() async throws {
        try await withServerAndDirectory(statusScenario)
    }

    private func statusScenario(server: String, directory: String) async throws {
        let agent = try await startAgent("stat", server: server, directory: directory, allowing: directory)
        defer { agent.stop() }
        _ = try await bosun(["send", "--to", "stat", "--method", "ping"], server: server)
        let result = try await bosun(["send", "--to", "stat", "--method", "status"], server: server)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let status = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(status["node"] as? String == "stat")
        #expect(status["version"] as? String != nil)
        #expect((status["uptimeSeconds"] as? Double ?? -1) >= 0)
        let methods = status["methods"] as? [String] ?? []
        #expect(Set(methods).isSuperset(of: ["cliCommand", "ping", "fileRead", "fileWrite", "fileAppend", "status"]))
        // The ping's result: a status, which may run again, is recorded with its answer once it has run.
        #expect(status["storedResults"] as? Int == 1)
        #expect(status["inFlight"] as? [String] == [])
        #expect(status["allowedDirectories"] as? [String] == [directory])
        #expect(status["pending"] as? Int != nil)
        let parts = status["parts"] as? [String: String] ?? [:]
        #expect(parts["receiver"] == "running")
        #expect(parts["outbox"] == "running")
    }
}

/// A JSON object as text.
func jsonText(_ object: Any) throws -> String {
    String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
}
