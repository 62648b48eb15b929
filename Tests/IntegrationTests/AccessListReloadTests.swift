import Foundation
import Shared
import Testing

/// An agent's ACL file is watched (inotify): an edit is in force without a signal, even one that keeps the file's
/// modification time, which a poll of that time would miss.
@Suite(.serialized)
struct AccessListReloadTests {
    @Test func anEditedACLIsInForceWithoutASignal() async throws {
        try await withCentral { server, directory, central in
            let (agent, acl) = try await startEdge(
                trusting: central, directory: directory, server: server.url,
                acl: #"{"rules": [{"who": ["central"], "methods": ["cliCommand"], "commands": [["echo", "*"]]}]}"#)
            defer { agent.stop() }

            let refused = try await run(["uname", "-s"], from: central)
            #expect(refused["status"] == "rejected")
            #expect(refused["error"]?.contains("the ACL does not let central run uname -s") == true)

            // Written in place, then given back its old modification time: only the write itself can tell.
            let stamp = try #require(FileSystem.modificationTime(acl))
            try #"{"rules": [{"who": ["central"], "methods": ["cliCommand"], "commands": [["echo", "*"], ["uname", "**"]]}]}"#
                .write(toFile: acl, atomically: false, encoding: .utf8)
            let time = timespec(tv_sec: Int(stamp / 1_000_000_000), tv_nsec: Int(stamp % 1_000_000_000))
            #expect(utimensat(AT_FDCWD, acl, [time, time], 0) == 0)
            #expect(await eventually { agent.log.contains("ACL reloaded") }, "agent log:\n\(agent.log)")
            #expect(try await run(["uname", "-s"], from: central)["stdout"] == "Linux\n")
        }
    }

    /// Has the central node send `argv` to `edge` and returns the reply once the message is final.
    private func run(_ argv: [String], from central: AgentProcess) async throws -> [String: String] {
        let count = try await central.messages().count
        let methodArgs = String(decoding: try JSONSerialization.data(withJSONObject: argv), as: UTF8.self)
        try central.write(inmsg: #"{"toNode":"edge","method":"cliCommand","methodArgs":\#(methodArgs)}"#)
        let final = await eventually {
            guard let messages = try? await central.messages(), messages.count == count + 1 else { return false }
            return ["acked", "rejected"].contains(messages.first?["state"] as? String)
        }
        guard final else { throw TestFailure("\(argv) did not end; central log:\n\(central.log)") }
        return try await central.newestReply()
    }
}

/// Starts an agent for `edge` (data in `<directory>/edge`) with `acl` as its `acl.json`, trusting the central
/// node's key; returns it and the ACL file's path.
func startEdge(
    trusting central: AgentProcess, directory: String, server: String, acl: String
) async throws -> (AgentProcess, String) {
    let agent = AgentProcess(node: "edge", server: server, dataDirectory: directory + "/edge")
    try FileManager.default.createDirectory(atPath: agent.dataDirectory, withIntermediateDirectories: true)
    let path = agent.dataDirectory + "/acl.json"
    try acl.write(toFile: path, atomically: false, encoding: .utf8)
    let centralKey = try await runProgram(Binaries.bosun, ["keys", "show", "--data-dir", central.dataDirectory])
        .stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    try await agent.start(extraArguments: ["--trust", centralKey])
    return (agent, path)
}
