import Foundation
import Testing

/// Results that come after the ACK, sent back as messages of their own (`httpGet`, the seed's scraper).
@Suite(.serialized)
struct ReplyTests {
    @Test func httpGetACKsOnReceiptThenTheBodyComesBackAsTheResult() async throws {
        try await withCentralAndEdge { _, directory, central, _ in
            try await httpGetScenario(directory: directory, central: central)
        }
    }

    private func httpGetScenario(directory: String, central: AgentProcess) async throws {
        let site = directory + "/site"
        try FileManager.default.createDirectory(atPath: site, withIntermediateDirectories: true)
        try "metric_a 1\nmetric_b 2\n".write(toFile: site + "/metrics", atomically: true, encoding: .utf8)
        let port = freePort()
        let http = try ChildProcess(
            "/usr/bin/env", ["python3", "-m", "http.server", String(port), "--bind", "127.0.0.1", "--directory", site],
            logPath: directory + "/http.log")
        // SIGKILL: the test process blocks SIGTERM, and its children inherit the mask.
        defer { http.stop(signal: SIGKILL) }
        #expect(await eventually { isListening(port: port) })

        try central.write(inmsg: #"""
            [{"toNode":"edge","method":"httpGet","methodArgs":["http://127.0.0.1:\#(port)/metrics"]},
             {"toNode":"edge","method":"httpGet","methodArgs":["http://127.0.0.1:\#(port)/missing"]},
             {"toNode":"edge","method":"httpGet","methodArgs":["ftp://127.0.0.1/metrics"]}]
            """#)
        let settled = await eventually(timeout: .seconds(20)) {
            let messages = (try? await central.messages()) ?? []
            return messages.filter { $0["result"] != nil || ($0["reply"] as? [String: Any])?["status"] as? String == "rejected" }.count == 3
        }
        #expect(settled)
        let byURL = try await repliesByURL(central)
        #expect(byURL["/metrics"]?["stdout"] as? String == "metric_a 1\nmetric_b 2\n")
        #expect(byURL["/metrics"]?["exitCode"] as? Int == 200)
        #expect(byURL["/missing"]?["status"] as? String == "error")
        #expect(byURL["/missing"]?["exitCode"] as? Int == 404)
        #expect(byURL["ftp"]?["status"] as? String == "rejected")
        #expect((byURL["ftp"]?["error"] as? String)?.contains("methodArgs[0]") == true)
        // The result came as a message of its own, journaled on the central node.
        #expect(central.journal("result").count == 2)
    }

    @Test func cliCommandContStreamsItsLinesInOrderBeforeTheResult() async throws {
        try await withCentralAndEdge { _, _, central, _ in
            try await streamingScenario(central: central)
        }
    }

    private func streamingScenario(central: AgentProcess) async throws {
        try central.write(inmsg: #"""
            {"toNode":"edge","method":"cliCommandCont","methodArgs":["--shell","for i in 1 2 3 4 5; do echo line $i; sleep 0.2; done"]}
            """#)
        #expect(await eventually(timeout: .seconds(20)) { (try? await central.messages().first?["state"] as? String) == "acked" })
        let id = try #require(central.journalIDs("accepted").first)
        let expected = (1...5).map { "line \($0)\n" }.joined()
        #expect(await eventually { (try? String(contentsOfFile: central.dataDirectory + "/output/\(id).stdout", encoding: .utf8)) == expected })
        // The ACK still carries the whole output.
        #expect(try await central.newestReply()["stdout"] == expected)
        // Streamed: the first line came back before the command ended.
        let firstOutput = try #require(central.journal("output").first?["time"] as? String)
        let acked = try #require(central.journal("acked").first?["time"] as? String)
        #expect(firstOutput < acked)
    }

    @Test func tailFileSendsBackTheLinesAppendedWhileItFollows() async throws {
        try await withCentral { server, directory, central in
            try await tailScenario(server: server.url, directory: directory, central: central)
        }
    }

    private func tailScenario(server: String, directory: String, central: AgentProcess) async throws {
        let logs = directory + "/var-log"
        try FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: true)
        let file = logs + "/app.log"
        // Empty, and followed from its start: lines appended before the tail's first look (a busy machine may
        // start the run a while after the message was received) still count.
        try "".write(toFile: file, atomically: true, encoding: .utf8)
        let agent = AgentProcess(node: "edge", server: server, dataDirectory: directory + "/edge")
        defer { agent.stop() }
        try await agent.start(extraArguments: ["--allow-dir", logs])
        try central.write(inmsg: #"{"toNode":"edge","method":"tailFile","methodArgs":["--seconds=6","--from-start","\#(file)"]}"#)
        #expect(await eventually { agent.journalIDs("received").count == 1 })
        try await Task.sleep(for: .milliseconds(300))
        let handle = try #require(FileHandle(forWritingAtPath: file))
        for index in 1...3 {
            handle.seekToEndOfFile()
            handle.write(Data("appended \(index)\n".utf8))
            try await Task.sleep(for: .milliseconds(300))
        }
        try handle.close()
        let expected = "appended 1\nappended 2\nappended 3\n"
        #expect(await eventually(timeout: .seconds(15)) { (try? await central.messages().first?["state"] as? String) == "acked" })
        #expect(try await central.newestReply()["stdout"] == expected)
        let id = try #require(central.journalIDs("accepted").first)
        #expect(await eventually { (try? String(contentsOfFile: central.dataDirectory + "/output/\(id).stdout", encoding: .utf8)) == expected })
    }

    /// Each message's reply, keyed by the end of its URL ("ftp" for the refused one).
    private func repliesByURL(_ central: AgentProcess) async throws -> [String: [String: Any]] {
        var result: [String: [String: Any]] = [:]
        for record in try await central.messages() {
            guard let url = (record["methodArgs"] as? [String])?.first,
                let reply = (record["result"] ?? record["reply"]) as? [String: Any]
            else {
                continue
            }
            result[url.hasPrefix("ftp") ? "ftp" : "/" + (url.split(separator: "/").last.map(String.init) ?? "")] = reply
        }
        return result
    }
}
