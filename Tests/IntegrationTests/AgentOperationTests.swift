import Foundation
import Testing

/// Bad arguments, the socket input, the configuration file and SIGHUP, and timeouts, on real agents.
@Suite(.serialized)
struct AgentOperationTests {
    @Test func badArgumentsAreRejectedNamingTheArgumentReportedCentrallyAndNothingRuns() async throws {
        try await withServerAndDirectory(badArgumentsScenario)
    }

    private func badArgumentsScenario(server: String, directory: String) async throws {
        let central = AgentProcess.central(server: server, directory: directory)
        try await central.start()
        defer { central.stop() }
        let allowed = directory + "/allowed"
        let outside = directory + "/outside"
        for path in [allowed, outside] {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        }
        try "secret".write(toFile: outside + "/secret.txt", atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: allowed + "/escape", withDestinationPath: outside)
        let agent = AgentProcess(node: "edge", server: server, dataDirectory: directory + "/edge")
        try await agent.start(extraArguments: ["--allow-dir", allowed])
        defer { agent.stop() }
        let marker = directory + "/ran"

        // (arguments after --, the method, the argument the answer must name)
        let cases: [([String], String, String)] = [
            (["--bogus", "touch", marker], "cliCommand", "--bogus"),
            (["--env=1X=y", "touch", marker], "cliCommand", "--env"),
            (["--shell", "touch", marker], "cliCommand", "--shell"),
            ([outside + "/new.txt"], "fileWrite", "methodArgs[0]"),
            ([allowed + "/../outside/new.txt"], "fileWrite", "methodArgs[0]"),
            ([allowed + "/escape/new.txt"], "fileAppend", "methodArgs[0]"),
            ([allowed + "/escape/secret.txt"], "fileRead", "methodArgs[0]"),
            (["relative.txt"], "fileRead", "methodArgs[0]"),
            ([allowed + "/a", allowed + "/b"], "fileRead", "methodArgs[1]"),
            (["--offset=-1", allowed + "/a"], "fileRead", "--offset"),
            (["--length", allowed + "/a"], "fileRead", "--length"),
            (["extra"], "status", "methodArgs[0]"),
        ]
        var ids: [String] = []
        for (arguments, method, argument) in cases {
            let result = try await bosun(
                ["send", "--to", "edge", "--method", method, "--"] + arguments, server: server,
                dataDirectory: central.dataDirectory)
            #expect(result.status == 65, "\(method) \(arguments): \(result.stderr)")
            #expect(result.stderr.contains("argument `\(argument)`"), "\(method) \(arguments): \(result.stderr)")
            ids.append(rejectedID(result.stderr))
        }
        let pingWithData = try await bosun(
            ["send", "--to", "edge", "--method", "ping", "--data", "x"], server: server, dataDirectory: central.dataDirectory)
        #expect(pingWithData.stderr.contains("argument `data`"))
        ids.append(rejectedID(pingWithData.stderr))

        // Each rejection reaches the central error log, through the agent's outbox.
        let reported = await eventually(timeout: .seconds(20)) {
            let errors = try? await runProgram(Binaries.bosun, ["errors", "--json", "--data-dir", central.dataDirectory])
            return ids.allSatisfy { id in errors?.stdout.split(separator: "\n").contains { $0.contains(id) && $0.contains("\"rejected\"") } ?? false }
        }
        #expect(reported)
        let errors = try await runProgram(Binaries.bosun, ["errors", "--json", "--data-dir", central.dataDirectory])
        #expect(errors.stdout.contains("argument `--bogus`"))
        #expect(errors.stdout.contains("path traversal"))
        #expect(!FileManager.default.fileExists(atPath: marker))
        #expect(!FileManager.default.fileExists(atPath: outside + "/new.txt"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside) == ["secret.txt"])
    }

    /// The message id in `bosun send`'s "rejected message <id>:" line.
    private func rejectedID(_ stderr: String) -> String {
        guard let range = stderr.range(of: "rejected message ") else { return "missing" }
        return String(stderr[range.upperBound...].prefix { $0 != ":" })
    }

    @Test func socketAcceptsABatchAndAnswersOneLinePerMessage() async throws {
        try await withServerAndDirectory { server, directory in
            let agent = AgentProcess(node: "sock", server: server, dataDirectory: directory + "/sock")
            try await agent.start()
            defer { agent.stop() }
            let socket = agent.dataDirectory + "/bosun.sock"
            let lines = try exchange(
                unixSocket: socket,
                #"[{"toNode":"sock","method":"ping"},{"toNode":"sock","method":"cliCommand","methodArgs":["echo","hi"]}]"#)
            #expect(lines.count == 2, "\(lines)")
            let ids = lines.compactMap { line in
                (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String])?["id"]
            }
            #expect(ids.count == 2)
            let acked = await eventually {
                let records = (try? await agent.messages()) ?? []
                return Set(records.filter { $0["state"] as? String == "acked" }.compactMap { $0["id"] as? String })
                    == Set(ids)
            }
            #expect(acked)

            let refused = try exchange(unixSocket: socket, #"{"toNode":"sock","method":"ping","retries":"many"}"#)
            #expect(refused.count == 1)
            #expect(refused.first?.contains("\"error\"") == true)
            #expect(refused.first?.contains("retries") == true)
            let rejected = agent.dataDirectory + "/rejected"
            let names = (try? FileManager.default.contentsOfDirectory(atPath: rejected)) ?? []
            let errorFile = try #require(names.first { $0.hasSuffix(".error") })
            #expect(try String(contentsOfFile: rejected + "/" + errorFile, encoding: .utf8).contains("retries"))
        }
    }

    @Test func unknownKeyInTheConfigurationFileIsAnErrorNamingKeyAndFile() async throws {
        try await withTemporaryDirectory { directory in
            let config = directory + "/agent.json"
            try #"{"allowDirs": ["/tmp"], "allowDir": ["/srv"]}"#.write(toFile: config, atomically: true, encoding: .utf8)
            let result = try await runProgram(
                Binaries.agent, ["--node", "cfg", "--data-dir", directory + "/data", "--config", config])
            #expect(result.status != 0)
            #expect(result.stderr.contains("allowDir"))
            #expect(result.stderr.contains(config))

            let help = try await runProgram(Binaries.agent, ["--help"])
            for option in ["--config", "--allow-dir", "--hello-interval", "--log-level", "--data-dir", "--server"] {
                #expect(help.stdout.contains(option))
            }
            #expect(help.stdout.contains("/var/lib/bosun"))
        }
    }

    @Test func sighupReloadsAllowedDirectoriesAndKeepsThemWhenTheFileIsBroken() async throws {
        try await withServerAndDirectory { server, directory in
            let first = directory + "/first"
            let second = directory + "/second"
            for path in [first, second] {
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
                try "in \(path)".write(toFile: path + "/f.txt", atomically: true, encoding: .utf8)
            }
            let config = directory + "/agent.json"
            try #"{"allowDirs": ["\#(first)"]}"#.write(toFile: config, atomically: true, encoding: .utf8)
            let agent = AgentProcess(node: "hup", server: server, dataDirectory: directory + "/hup")
            try await agent.start(extraArguments: ["--config", config])
            defer { agent.stop() }
            let pid = try #require(agent.child?.pid)
            let read = { (path: String) in
                try await bosun(["send", "--to", "hup", "--method", "fileRead", "--", path + "/f.txt"], server: server)
            }
            #expect(try await read(first).status == 0)
            #expect(try await read(second).status == 65)

            try #"{"allowDirs": ["\#(first)", "\#(second)"]}"#.write(toFile: config, atomically: true, encoding: .utf8)
            kill(pid, SIGHUP)
            #expect(await eventually { agent.log.contains("configuration reloaded") })
            #expect(try await read(second).stdout == "in \(second)")

            try #"{"allowDirs": ["\#(first)"], "bogus": true}"#.write(toFile: config, atomically: true, encoding: .utf8)
            kill(pid, SIGHUP)
            #expect(await eventually { agent.log.contains("key `bogus`") })
            #expect(try await read(second).status == 0)
            #expect(agent.child?.isRunning == true)
        }
    }

    @Test func timeoutEndsTheWholePipelineAndLeavesNoProcess() async throws {
        try await withServerAndDirectory { server, directory in
            let agent = AgentProcess(node: "slow", server: server, dataDirectory: directory + "/slow")
            try await agent.start()
            defer { agent.stop() }
            // A duration no other process uses, to find this pipeline's processes in /proc.
            let sleep = "sleep 100.\(Int.random(in: 100_000...999_999))"
            let result = try await bosun(
                ["send", "--to", "slow", "--method-timeout", "2", "--", "sh", "-c", "\(sleep) | cat"], server: server)
            #expect(result.status != 0)
            #expect(result.stderr.contains("timed out"))
            #expect(await eventually { processes(containing: sleep).isEmpty }, "\(processes(containing: sleep))")
        }
    }
}
