import Foundation
import Testing

/// The first slice, end to end: a real nats-server, a real agent process, the real `bosun` binary.
@Suite(.serialized)
struct EndToEndTests {
    @Test func commandOutputAndExitCodeComeBack() async throws {
        try await withNATSServer { server in
            try await withTemporaryDirectory { directory in
                let agent = AgentProcess(node: "edge-1", server: server.url, dataDirectory: directory + "/edge-1")
                try await agent.start()
                defer { agent.stop() }

                let uname = try await bosun(["send", "--to", "edge-1", "--", "uname", "-a"], server: server.url)
                #expect(uname.status == 0, "stderr: \(uname.stderr)")
                #expect(uname.stdout.hasPrefix("Linux "))

                let failing = try await bosun(
                    ["send", "--to", "edge-1", "--", "sh", "-c", "echo out; echo err >&2; exit 3"], server: server.url)
                #expect(failing.status == 3)
                #expect(failing.stdout == "out\n")
                #expect(failing.stderr.contains("err\n"))
            }
        }
    }

    @Test func outputBiggerThanTheServersMaxPayloadComesBackWhole() async throws {
        try await withNATSServer { server in
            try await withTemporaryDirectory { directory in
                let agent = AgentProcess(node: "edge-3", server: server.url, dataDirectory: directory + "/edge-3")
                try await agent.start()
                defer { agent.stop() }
                // 3 MB of output against nats-server's default max_payload of 1 MiB: the ACK travels in chunks.
                let big = try await bosun(
                    ["send", "--to", "edge-3", "--", "sh", "-c", "head -c 3000000 /dev/zero | tr '\\0' a; echo end"],
                    server: server.url)
                #expect(big.status == 0, "stderr: \(big.stderr)")
                #expect(big.stdout.utf8.count == 3_000_004)
                #expect(big.stdout.hasSuffix("aaend\n"))
            }
        }
    }

    @Test func pingReportsTheRoundTrip() async throws {
        try await withNATSServer { server in
            try await withTemporaryDirectory { directory in
                let agent = AgentProcess(node: "edge-2", server: server.url, dataDirectory: directory + "/edge-2")
                try await agent.start()
                defer { agent.stop() }

                let ping = try await bosun(["send", "--to", "edge-2", "--method", "ping"], server: server.url)
                #expect(ping.status == 0, "stderr: \(ping.stderr)")
                #expect(ping.stdout.hasPrefix("pong from edge-2 in "))
            }
        }
    }

    @Test func unknownNodeIsReportedAtOnceAsNoResponders() async throws {
        try await withNATSServer { server in
            let started = ContinuousClock.now
            let result = try await bosun(
                ["send", "--fail-fast", "--ack-timeout", "120", "--to", "nobody-here", "--", "true"], server: server.url)
            let elapsed = ContinuousClock.now - started
            #expect(result.status == 69)
            #expect(result.stderr.contains("no responders"))
            #expect(result.stderr.contains("nobody-here"))
            // Not a speed check: "at once" means it did not wait out the 120 s ACK timeout.
            #expect(elapsed < .seconds(60))
        }
    }

    @Test func unreachableServerIsOneClearLineNamingTheURL() async throws {
        let url = "nats://127.0.0.1:\(freePort())"
        let result = try await bosun(["send", "--connect-timeout", "1", "--to", "edge-3", "--", "true"], server: url)
        #expect(result.status == 69)
        #expect(result.stderr.contains(url))
        #expect(result.stderr.split(separator: "\n").count == 1)
    }

    @Test func unknownOptionPrintsUsageAndExits64() async throws {
        let result = try await runProgram(Binaries.bosun, ["send", "--no-such-option"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("Usage"))
    }
}

/// Liveness as the central node sees it: an agent's hello with its facts, and its bye on a clean stop.
@Suite(.serialized)
struct LivenessTests {
    @Test func theCentralNodeSeesAHelloWithFactsAndMarksTheNodeDownAtItsBye() async throws {
        try await withCentral { server, directory, central in
            try await livenessScenario(server: server.url, directory: directory, central: central)
        }
    }

    private func node(_ name: String, _ central: AgentProcess) async throws -> [String: Any]? {
        let output = try await runProgram(Binaries.bosun, ["nodes", "--json", "--data-dir", central.dataDirectory]).stdout
        return output.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }.first { $0["name"] as? String == name }
    }

    private func livenessScenario(server: String, directory: String, central: AgentProcess) async throws {
        let agent = AgentProcess(node: "edge", server: server, dataDirectory: directory + "/edge")
        try await agent.start(extraArguments: ["--hello-interval", "60"])
        #expect(await eventually { (try? await node("edge", central)?["state"] as? String) == "up" })
        let facts = try #require(try await node("edge", central)?["facts"] as? [String: Any])
        #expect(facts["hostname"] as? String == ProcessInfo.processInfo.hostName)
        #expect((facts["methods"] as? [String])?.contains("cliCommand") == true)
        #expect(facts["helloInterval"] as? Double == 60)
        #expect((facts["publicKey"] as? String)?.isEmpty == false)
        // A clean stop says bye: down at once, not after six missed hellos (six minutes here).
        agent.stop(signal: SIGTERM)
        #expect(await eventually { (try? await node("edge", central)?["state"] as? String) == "down" })
    }
}
