import Foundation
import Testing

/// `bosun send` keeps the promise: it waits through a node's outage (one progress line on stderr), stops at
/// `--timeout` or Ctrl-C with the message still queued and says so, and gives the old answer with `--fail-fast`.
/// Real nats-server, real agents, the real `bosun` binary.
@Suite(.serialized)
struct SendWaitTests {
    @Test func aSendToANodeThatComesUpTenSecondsLaterWaitsAndPrintsItsOutput() async throws {
        try await withNATSServerAndDirectory { server, directory in
            let started = ContinuousClock.now
            let send = try BackgroundProgram(
                Binaries.bosun, ["send", "--to", "late", "--", "echo", "hello from late"],
                environment: ["BOSUN_SERVER": server, "BOSUN_DATA_DIR": directory + "/central"], directory: directory)
            let line = "bosun: waiting for late: not connected since "
            #expect(await eventually(timeout: .seconds(15)) { send.stderr.contains(line) }, "stderr: \(send.stderr)")
            #expect(send.stderr.contains("attempt 1 · next try "), "stderr: \(send.stderr)")
            #expect(send.stderr.contains("Ctrl-C leaves message "), "stderr: \(send.stderr)")
            #expect(send.process.isRunning, "send gave up: \(send.stderr)")

            // The node comes up 10 s after the send began.
            try await Task.sleep(until: started + .seconds(10))
            let agent = AgentProcess(node: "late", server: server, dataDirectory: directory + "/late")
            defer { agent.stop() }
            try await agent.start()

            let status = await send.exitStatus(within: .seconds(90))
            #expect(status == 0, "stderr: \(send.stderr)")
            #expect(send.stdout == "hello from late\n")
            // One progress line, not one a second: stderr is not a terminal here.
            #expect(send.stderr.components(separatedBy: line).count == 2, "stderr: \(send.stderr)")
        }
    }

    @Test func timeoutStopsWaitingWithExit75AndTheMessageStaysQueued() async throws {
        try await withNATSServerAndDirectory { server, directory in
            let data = directory + "/central"
            let result = try await bosun(
                ["send", "--timeout", "2", "--to", "away", "--", "true"], server: server, dataDirectory: data)
            #expect(result.status == 75, "stderr: \(result.stderr)")
            #expect(result.stderr.contains("stopped waiting after 2 s (--timeout): message "), "\(result.stderr)")
            #expect(
                result.stderr.contains(" to away stays queued (away is not connected, attempt "), "\(result.stderr)")
            // It ran the engine itself: once it is gone, nothing carries the message, and it says how to fix that.
            #expect(result.stderr.contains("no bosun engine runs on \(data)"), "\(result.stderr)")
            #expect(result.stderr.contains("bosun --headless --data-dir \(data)"), "\(result.stderr)")
            let messages = try await runProgram(Binaries.bosun, ["messages", "--json", "--data-dir", data])
            #expect(messages.stdout.contains("\"state\":\"queued\""), "\(messages.stdout)")
        }
    }

    @Test func failFastExits69AtOnceWithTheMessageQueued() async throws {
        try await withNATSServerAndDirectory { server, directory in
            let data = directory + "/central"
            let result = try await bosun(
                ["send", "--fail-fast", "--ack-timeout", "120", "--to", "away", "--", "true"], server: server,
                dataDirectory: data)
            #expect(result.status == 69, "stderr: \(result.stderr)")
            #expect(
                result.stderr.contains("no responders: node away is not connected to NATS; message "),
                "\(result.stderr)")
            #expect(result.stderr.contains("stays queued (--fail-fast)"), "\(result.stderr)")
            #expect(result.stderr.contains("no bosun engine runs on \(data)"), "\(result.stderr)")
            #expect(!result.stderr.contains("waiting for away"), "\(result.stderr)")
        }
    }

    @Test func ctrlCLeavesTheMessageQueuedAndSaysSo() async throws {
        try await withNATSServerAndDirectory { server, directory in
            let data = directory + "/central"
            let send = try BackgroundProgram(
                Binaries.bosun, ["send", "--to", "away", "--", "true"],
                environment: ["BOSUN_SERVER": server, "BOSUN_DATA_DIR": data], directory: directory)
            #expect(
                await eventually(timeout: .seconds(15)) { send.stderr.contains("waiting for away") }, "\(send.stderr)")
            send.signal(SIGINT)
            let status = await send.exitStatus(within: .seconds(30))
            #expect(status == 130, "stderr: \(send.stderr)")
            #expect(send.stderr.contains("interrupted: message "), "\(send.stderr)")
            #expect(send.stderr.contains(" to away stays queued"), "\(send.stderr)")
            let messages = try await runProgram(Binaries.bosun, ["messages", "--json", "--data-dir", data])
            #expect(messages.stdout.contains("\"state\":\"queued\""), "\(messages.stdout)")
        }
    }

    @Test func aTimedOutSendHandedToARunningEngineIsDeliveredWhenTheNodeComes() async throws {
        try await withCentral { server, directory, central in
            let result = try await bosun(
                ["send", "--timeout", "2", "--to", "later", "--", "echo", "carried"], server: server.url,
                dataDirectory: central.dataDirectory)
            #expect(result.status == 75, "stderr: \(result.stderr)")
            #expect(
                result.stderr.contains("the bosun engine running on \(central.dataDirectory) keeps retrying it"),
                "\(result.stderr)")
            let agent = AgentProcess(node: "later", server: server.url, dataDirectory: directory + "/later")
            defer { agent.stop() }
            try await agent.start()
            let delivered = await eventually(timeout: .seconds(60), interval: .milliseconds(200)) {
                (try? await central.newestReply()["stdout"]) == "carried\n"
            }
            let outbox = try await central.messages()
            #expect(delivered, "outbox: \(outbox)")
        }
    }
}

/// `bosun send --at`: kept in `<data-dir>/scheduled/` until its time, then sent by the engine on the data
/// directory, across a restart of that engine. Real nats-server, the central engine, an agent.
@Suite(.serialized)
struct SendAtTests {
    @Test func aScheduledSendWaitsOnDiskThroughAnEngineRestartAndIsAcceptedNoEarlierThanAsked() async throws {
        try await withCentralAndEdge { server, _, central, _ in
            central.stop()
            let asked = Date()
            let send = try await bosun(
                ["send", "--to", "edge", "--at", "+2s", "--", "echo", "later"], server: server.url,
                dataDirectory: central.dataDirectory)
            #expect(send.status == 0, "\(send.stdout)\(send.stderr)")
            let id = send.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(send.stderr.contains("no bosun engine runs on \(central.dataDirectory)"), "\(send.stderr)")
            let scheduled = try FileManager.default.contentsOfDirectory(atPath: central.dataDirectory + "/scheduled")
            #expect(scheduled.count == 1 && scheduled[0].hasSuffix("-\(id).json"), "\(scheduled)")

            try await central.start()
            var record: [String: Any]?
            let acked = await eventually(timeout: .seconds(30), interval: .milliseconds(200)) {
                let listed = try? await bosun(
                    ["messages", "--json", "--to", "edge", "--data-dir", central.dataDirectory], server: server.url)
                record = listed?.stdout.split(separator: "\n").compactMap {
                    try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
                }.first { $0["id"] as? String == id }
                return record?["state"] as? String == "acked"
            }
            #expect(acked, "\(String(describing: record))")
            #expect(((record?["reply"] as? [String: Any])?["stdout"] as? String) == "later\n")
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            let created = try #require((record?["createdAt"] as? String).flatMap { formatter.date(from: $0) ?? ISO8601DateFormatter().date(from: $0) })
            #expect(created.timeIntervalSince(asked) >= 2, "accepted \(created), asked at \(asked) for +2s")
            #expect(try FileManager.default.contentsOfDirectory(atPath: central.dataDirectory + "/scheduled").isEmpty)
        }
    }
}
