import Foundation
import Testing

/// Metrics from real agents to a real central node, through a real nats-server: stored, shown, and carried
/// through an outage of the central node without a gap; forwarded logs shown and followed.
@Suite(.serialized)
struct MetricsTests {
    /// `bosun metrics NODE --json` on the central node's data: the points of each metric.
    private func points(_ node: String, central: AgentProcess, since: String = "1h") async throws -> [String: [[String: Any]]] {
        let result = try await runProgram(
            Binaries.bosun, ["metrics", node, "--json", "--since", since, "--data-dir", central.dataDirectory])
        let rows = result.stdout.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        return Dictionary(grouping: rows) { $0["metric"] as? String ?? "" }
    }

    /// The times of a node's stored samples (of `queue`, which every sample has), oldest first.
    private func storedTimes(_ node: String, central: AgentProcess) async throws -> [Date] {
        try await points(node, central: central)["queue", default: []].compactMap { row in
            (row["time"] as? String).flatMap { ISO8601DateFormatter.withFraction.date(from: $0) }
        }
    }

    /// The agent's `metrics` messages, as its outbox lists them.
    private func samplesSent(_ agent: AgentProcess) async throws -> [[String: Any]] {
        try await agent.messages().filter { $0["method"] as? String == "metrics" }
    }

    @Test func agentJSONSetsTheMetricsIntervalAndMounts() async throws {
        try await withCentral { server, directory, central in
            let config = directory + "/agent.json"
            try #"{"metricsInterval": 0.5, "metricsMounts": ["/dev/shm"]}"#.write(
                toFile: config, atomically: true, encoding: .utf8)
            let agent = AgentProcess(node: "edge", server: server.url, dataDirectory: directory + "/edge")
            defer { agent.stop() }
            try await agent.start(extraArguments: ["--config", config])
            // At the default interval (10 s) three samples would take longer than the deadline.
            let stored = await eventually(timeout: .seconds(12)) {
                ((try? await points("edge", central: central))?["queue"]?.count ?? 0) >= 3
            }
            #expect(stored, "central log:\n\(central.log)")
            let metrics = try await points("edge", central: central).keys.filter { $0.hasPrefix("disk:") }
            #expect(metrics == ["disk:/dev/shm"])
        }
    }

    @Test func samplesArriveAndAreStoredPerMetric() async throws {
        try await withCentral { server, directory, central in
            let agent = AgentProcess(node: "edge", server: server.url, dataDirectory: directory + "/edge")
            defer { agent.stop() }
            try await agent.start(extraArguments: ["--metrics-interval", "0.5"])
            let stored = await eventually(timeout: .seconds(20)) {
                ((try? await points("edge", central: central))?["cpu"]?.count ?? 0) >= 3
            }
            #expect(stored, "central log:\n\(central.log)")
            let series = try await points("edge", central: central)
            for metric in ["cpu", "load1", "mem", "disk:/", "rss", "queue"] {
                #expect(series[metric]?.isEmpty == false, "no \(metric) in \(series.keys.sorted())")
            }
            let cpu = try #require(series["cpu"]?.last)
            #expect(cpu["resolution"] as? String == "raw")
            let value = try #require(cpu["mean"] as? Double)
            #expect((0...100).contains(value))
            let rss = try #require(series["rss"]?.last?["mean"] as? Double)
            #expect(rss > 1_000_000)

            let text = try await runProgram(Binaries.bosun, ["metrics", "edge", "--data-dir", central.dataDirectory])
            #expect(text.status == 0)
            #expect(text.stdout.split(separator: "\n").contains { $0.hasPrefix("disk:/\t") }, "\(text.stdout)")
            let unknown = try await runProgram(Binaries.bosun, ["metrics", "no-such", "--data-dir", central.dataDirectory])
            #expect(unknown.stdout.contains("no metrics from no-such"))
            let bad = try await runProgram(Binaries.bosun, ["metrics", "edge", "--since", "soon", "--data-dir", central.dataDirectory])
            #expect(bad.status == 64)
            #expect(bad.stderr.contains("--since"), "\(bad.stderr)")
        }
    }

    @Test func samplesTakenWhileTheCentralNodeIsDownArriveAfterItWithoutAGap() async throws {
        try await withCentral { server, directory, central in
            let agent = AgentProcess(node: "edge", server: server.url, dataDirectory: directory + "/edge")
            defer { agent.stop() }
            try await agent.start(extraArguments: ["--metrics-interval", "0.5"])
            #expect(await eventually(timeout: .seconds(20)) {
                ((try? await points("edge", central: central))?["queue"]?.count ?? 0) >= 2
            })
            central.stop()
            // Samples pile up in the agent's outbox while nothing answers for the central node.
            let queued = await eventually(timeout: .seconds(20)) {
                ((try? await samplesSent(agent))?.filter { $0["state"] as? String != "acked" }.count ?? 0) >= 6
            }
            #expect(queued)
            let taken = try await samplesSent(agent)
            let restarted = AgentProcess.central(server: server.url, directory: directory)
            defer { restarted.stop() }
            try await restarted.start()

            // Every sample taken before the restart arrives: each of them acked, as many stored up to the last
            // one's acceptance (samples are taken one after another, each accepted before the next is taken).
            let ids = Set(taken.compactMap { $0["id"] as? String })
            let allAcked = await eventually(timeout: .seconds(60)) {
                let acked = ((try? await samplesSent(agent)) ?? []).filter { $0["state"] as? String == "acked" }
                return ids.isSubset(of: Set(acked.compactMap { $0["id"] as? String }))
            }
            #expect(allAcked)
            let lastAccepted = try #require(
                taken.compactMap { ($0["createdAt"] as? String).flatMap(ISO8601DateFormatter.withFraction.date) }.max())
            let times = try await storedTimes("edge", central: restarted).filter { $0 <= lastAccepted }
            #expect(times.count == ids.count, "taken \(ids.count) before the restart, stored \(times.count)")
            let gaps = zip(times, times.dropFirst()).map { $1.timeIntervalSince($0) }
            #expect(gaps.allSatisfy { $0 < 1.5 }, "gaps between stored samples: \(gaps.filter { $0 >= 1.5 })")
            #expect(restarted.log.contains("rejected") == false)
        }
    }

    @Test func logsAreShownFilteredByTimeAndFollowed() async throws {
        try await withCentralAndEdge { _, directory, central, agent in
            let socket = agent.dataDirectory + "/bosun.sock"
            let old = "2020-01-01T00:00:00Z booted\\ncontinued"
            let recent = "\(ISO8601DateFormatter().string(from: Date())) started"
            _ = try exchange(unixSocket: socket, #"{"toNode":"central","method":"log","methodArgs":["app"],"data":"\#(old)\n\#(recent)"}"#)
            _ = try exchange(unixSocket: socket, #"{"toNode":"central","method":"log","methodArgs":["kernel"],"data":"k1"}"#)
            func logs(_ arguments: [String]) async throws -> RunResult {
                try await runProgram(Binaries.bosun, ["logs", "edge"] + arguments + ["--data-dir", central.dataDirectory])
            }
            let arrived = await eventually(timeout: .seconds(20)) {
                let all = (try? await logs([]))?.stdout ?? ""
                return all.contains("kernel\tk1") && all.contains("app\t\(recent)")
            }
            #expect(arrived)
            let app = try await logs(["app"])
            #expect(app.stdout == "2020-01-01T00:00:00Z booted\ncontinued\n\(recent)\n")
            let sinceTenMinutes = try await logs(["app", "--since", "10m"])
            #expect(sinceTenMinutes.stdout == "\(recent)\n")
            let json = try await logs(["app", "--json", "--since", "10m"])
            let row = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
            #expect(row["node"] as? String == "edge")
            #expect(row["name"] as? String == "app")
            #expect(row["line"] as? String == recent)
            #expect(row["time"] != nil)
            let missing = try await logs(["nothing"])
            #expect(missing.status == 64)
            #expect(missing.stderr.contains("no log nothing from edge"), "\(missing.stderr)")

            let follower = try ChildProcess(
                Binaries.bosun, ["logs", "edge", "app", "--follow", "--data-dir", central.dataDirectory],
                logPath: directory + "/follow.log")
            defer { follower.stop() }
            #expect(await eventually { follower.log.contains("started") })
            _ = try exchange(unixSocket: socket, #"{"toNode":"central","method":"log","methodArgs":["app"],"data":"later line"}"#)
            #expect(await eventually(timeout: .seconds(20)) { follower.log.hasSuffix("started\nlater line\n") }, "\(follower.log)")
        }
    }

    /// The `alert` entries of the central error log, oldest first.
    private func alerts(_ central: AgentProcess) async throws -> [String] {
        let result = try await runProgram(Binaries.bosun, ["errors", "--json", "--data-dir", central.dataDirectory])
        return result.stdout.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }.filter { $0["kind"] as? String == "alert" }.compactMap { $0["error"] as? String }.reversed()
    }

    /// When the central node last heard from `node` (`bosun nodes --json`).
    private func lastSeen(_ node: String, central: AgentProcess) async throws -> Date? {
        let result = try await runProgram(Binaries.bosun, ["nodes", "--json", "--data-dir", central.dataDirectory])
        let row = result.stdout.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }.first { $0["name"] as? String == node }
        return (row?["lastSeen"] as? String).flatMap(ISO8601DateFormatter.withFraction.date)
    }

    @Test func aNodeDownRaisesOneAlertAndOneMoreWhenItIsBack() async throws {
        try await withNATSServerAndDirectory { server, directory in
            let central = AgentProcess.central(server: server, directory: directory)
            try FileManager.default.createDirectory(atPath: central.dataDirectory, withIntermediateDirectories: true)
            try #"{"nodeDownSeconds": 2, "checkInterval": 0.2}"#.write(
                toFile: central.dataDirectory + "/alerts.json", atomically: true, encoding: .utf8)
            defer { central.stop() }
            try await central.start()
            let agent = AgentProcess(node: "edge", server: server, dataDirectory: directory + "/edge")
            defer { agent.stop() }
            try await agent.start(extraArguments: ["--hello-interval", "0.5"])
            #expect(await eventually(timeout: .seconds(20)) { (try? await lastSeen("edge", central: central)) != nil })

            agent.stop()
            let raised = await eventually(timeout: .seconds(20)) {
                ((try? await alerts(central)) ?? []).contains { $0.hasPrefix("node edge: down: not heard from for") }
            }
            #expect(raised, "central log:\n\(central.log)")
            try await agent.start(extraArguments: ["--hello-interval", "0.5"])
            let cleared = await eventually(timeout: .seconds(20)) {
                ((try? await alerts(central)) ?? []).contains { $0.hasPrefix("cleared: node edge: heard from again") }
            }
            #expect(cleared)
            // Hellos keep coming for longer than the limit after the clearing: still one of each.
            let clearedAt = Date()
            let heardLonger = await eventually(timeout: .seconds(20)) {
                ((try? await lastSeen("edge", central: central)) ?? nil).map { $0.timeIntervalSince(clearedAt) > 3 } ?? false
            }
            #expect(heardLonger)
            let entries = try await alerts(central)
            #expect(entries.filter { $0.contains("down:") }.count == 1, "\(entries)")
            #expect(entries.filter { $0.hasPrefix("cleared:") }.count == 1, "\(entries)")
        }
    }
}

extension ISO8601DateFormatter {
    /// RFC 3339 with milliseconds, as Bosun writes times.
    static var withFraction: ISO8601DateFormatter {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }
}
