import Foundation
import Testing

/// `httpGet` on a real agent against real HTTP and HTTPS servers on loopback (127.0.0.1 and [::1] only): the ACK
/// on receipt, then the answer as the message's later result.
@Suite(.serialized)
struct HTTPGetTests {
    @Test func fetchesOverHTTPAndHTTPSAndIPv6() async throws {
        try await withCentralAndEdge { _, directory, central, _ in
            let web = try await TestHTTPServer.start(in: directory)
            let results = try await fetch(
                [
                    ["--include", web.http + "/hello"],
                    ["--cacert=\(web.pki.caFile)", web.https + "/hello"],
                    [web.https + "/hello"],
                    [web.ipv6 + "/hello"],
                ], central: central)

            let plain = try #require(results["--include \(web.http)/hello"])
            #expect(plain["status"] as? String == "ok")
            #expect(plain["exitCode"] as? Int == 200)
            let included = try #require(plain["stdout"] as? String)
            #expect(included.hasPrefix("HTTP/1.1 200"), "\(included)")
            #expect(included.contains("X-Bosun-Test: yes\r\n"), "\(included)")
            #expect(included.hasSuffix("\r\n\r\nhello from http\n"), "\(included)")
            #expect(plain["stderr"] as? String == "final URL: \(web.http)/hello\n")

            let tls = try #require(results["--cacert=\(web.pki.caFile) \(web.https)/hello"])
            #expect(tls["exitCode"] as? Int == 200)
            #expect(tls["stdout"] as? String == "hello from https\n")

            // Without --cacert the system's store is used, and it does not know the test's authority.
            let untrusted = try #require(results["\(web.https)/hello"])
            #expect(untrusted["status"] as? String == "error")
            #expect((untrusted["error"] as? String)?.contains("certificate") == true, "\(untrusted)")
            #expect(untrusted["stdout"] == nil)

            let six = try #require(results["\(web.ipv6)/hello"])
            #expect(six["exitCode"] as? Int == 200)
            #expect(six["stdout"] as? String == "hello from ipv6\n")

            // The ACK came first and said the transfer was under way.
            let ack = try #require(try await central.messages().first?["reply"] as? [String: Any])
            #expect((ack["stdout"] as? String)?.hasPrefix("fetching ") == true, "\(ack)")
        }
    }

    @Test func followsRedirectsUpToTheBound() async throws {
        try await withCentralAndEdge { _, directory, central, _ in
            let web = try await TestHTTPServer.start(in: directory)
            let results = try await fetch(
                [[web.http + "/redirect/3"], ["--max-redirects=2", web.http + "/redirect/3"]], central: central)

            let followed = try #require(results["\(web.http)/redirect/3"])
            #expect(followed["exitCode"] as? Int == 200)
            #expect(followed["stdout"] as? String == "hello from http\n")
            #expect(followed["stderr"] as? String == "final URL: \(web.http)/hello (after 3 redirects)\n")

            let bounded = try #require(results["--max-redirects=2 \(web.http)/redirect/3"])
            #expect(bounded["status"] as? String == "error")
            #expect((bounded["error"] as? String)?.contains("Maximum (2) redirects followed") == true, "\(bounded)")
        }
    }

    @Test func errorStatusesAndABodyPastTheLimit() async throws {
        try await withCentralAndEdge { _, directory, central, _ in
            let web = try await TestHTTPServer.start(in: directory)
            let results = try await fetch(
                [[web.http + "/missing"], [web.http + "/broken"], [web.http + "/big"]], central: central)

            for (path, status, body) in [("/missing", 404, "no such page\n"), ("/broken", 500, "it broke\n")] {
                let result = try #require(results[web.http + path])
                #expect(result["status"] as? String == "error")
                #expect(result["exitCode"] as? Int == status)
                #expect(result["error"] as? String == "HTTP \(status) from \(web.http)\(path)")
                #expect(result["stdout"] as? String == body)
            }

            let big = try #require(results[web.http + "/big"])
            #expect(big["status"] as? String == "ok")
            #expect(big["truncated"] as? Bool == true)
            let body = try #require(big["stdout"] as? String)
            // Newlines take three bytes in the result message (escaped in the reply, and again in the message).
            #expect(body.count > 800_000 && body.count < TestHTTPServer.bigBody.count, "\(body.count) bytes")
            #expect(TestHTTPServer.bigBody.hasPrefix(body))
            #expect((big["stderr"] as? String)?.contains("truncated: the body goes on") == true, "\(big)")
        }
    }

    @Test func aServerThatNeverAnswersIsEndedByTheTimeoutAndItsThreadEnds() async throws {
        try await withCentralAndEdge { _, directory, central, edge in
            let web = try await TestHTTPServer.start(in: directory)
            let pid = try #require(edge.child?.pid)
            try central.write(
                inmsg: #"{"toNode":"edge","method":"httpGet","methodTimeout":3,"methodArgs":["\#(web.http)/silent"]}"#)
            // The transfer runs on a thread of its own; the agent goes on answering.
            #expect(await eventually { transferThreads(of: pid) == 1 })
            #expect(try await pingAnswered(1, central: central))

            let results = try await results(count: 1, central: central)
            let silent = try #require(results["\(web.http)/silent"])
            #expect(silent["status"] as? String == "error")
            #expect((silent["error"] as? String)?.contains("timed out") == true, "\(silent)")
            #expect(await eventually { transferThreads(of: pid) == 0 })
            #expect(try await pingAnswered(2, central: central))
        }
    }

    @Test func stoppingTheAgentCancelsARunningTransferAndItsResultSaysSo() async throws {
        try await withCentral { server, directory, central in
            let web = try await TestHTTPServer.start(in: directory)
            let edge = AgentProcess(node: "edge", server: server.url, dataDirectory: directory + "/edge")
            defer { edge.stop() }
            try await edge.start(extraArguments: ["--stop-grace", "1"])
            let pid = try #require(edge.child?.pid)
            try central.write(
                inmsg: #"{"toNode":"edge","method":"httpGet","methodTimeout":600,"methodArgs":["\#(web.http)/silent"]}"#
            )
            #expect(await eventually { transferThreads(of: pid) == 1 })
            kill(pid, SIGTERM)
            // Far sooner than the transfer's own timeout: the grace period, then the transfer is cancelled.
            #expect(await eventually(timeout: .seconds(30)) { edge.child?.isRunning == false })
            // Sent before the agent stopped, or kept in its outbox and sent once it is back.
            try await edge.start()
            let results = try await results(count: 1, central: central)
            let cancelled = try #require(results["\(web.http)/silent"])
            #expect(cancelled["status"] as? String == "error")
            #expect(cancelled["error"] as? String == "httpGet \(web.http)/silent: cancelled: the agent is stopping")
        }
    }

    @Test func goesThroughTheProxyItsEnvironmentNames() async throws {
        try await withCentral { server, directory, central in
            let web = try await TestHTTPServer.start(in: directory)
            let edge = try ChildProcess(
                Binaries.agent,
                ["--node", "edge", "--server", server.url, "--data-dir", directory + "/edge"]
                    + (try TestFleet.arguments(central: false, dataDirectory: directory + "/edge")),
                environment: ["http_proxy": web.http], logPath: directory + "/edge.log")
            defer { edge.stop() }
            #expect(await eventually(timeout: .seconds(15)) { edge.log.contains("listening") })
            // Nothing listens on port 1: only the proxy can answer.
            let results = try await fetch([["http://127.0.0.1:1/hello"]], central: central)
            let proxied = try #require(results["http://127.0.0.1:1/hello"])
            // The whole result and the agent's log, should it fail: a CI run once saw a result without an exit code.
            #expect(proxied["exitCode"] as? Int == 200, "\(proxied)\nagent's log:\n\(edge.log.suffix(3000))")
            #expect(proxied["stdout"] as? String == "proxied http://127.0.0.1:1/hello\n")
        }
    }

    @Test func insecureIsRefusedUnlessTheConfigurationAllowsIt() async throws {
        try await withCentralAndEdge { server, directory, central, _ in
            let web = try await TestHTTPServer.start(in: directory)
            let lax = AgentProcess(node: "lax", server: server.url, dataDirectory: directory + "/lax")
            defer { lax.stop() }
            try FileManager.default.createDirectory(atPath: lax.dataDirectory, withIntermediateDirectories: true)
            try #"{"allowInsecureTLS": true}"#.write(
                toFile: lax.dataDirectory + "/agent.json", atomically: true, encoding: .utf8)
            try await lax.start()
            try central.write(
                inmsg: #"""
                    [{"toNode":"edge","method":"httpGet","methodArgs":["--insecure","\#(web.https)/hello"]},
                     {"toNode":"lax","method":"httpGet","methodArgs":["--insecure","\#(web.https)/hello"]},
                     {"toNode":"edge","method":"httpGet","methodArgs":["ftp://127.0.0.1/file"]},
                     {"toNode":"edge","method":"httpGet","methodArgs":["--max-redirects=many","\#(web.http)/hello"]}]
                    """#)
            let records = try await settled(count: 4, central: central)
            let refused = try #require(
                records.first {
                    $0["toNode"] as? String == "edge" && ($0["methodArgs"] as? [String])?.first == "--insecure"
                })
            let refusal = try #require(refused["reply"] as? [String: Any])
            #expect(refusal["status"] as? String == "rejected")
            #expect((refusal["error"] as? String)?.contains("argument `--insecure`: refused") == true, "\(refusal)")

            let allowed = try #require(records.first { $0["toNode"] as? String == "lax" }?["result"] as? [String: Any])
            #expect(allowed["exitCode"] as? Int == 200)
            #expect(allowed["stdout"] as? String == "hello from https\n")

            let reasons = records.compactMap { ($0["reply"] as? [String: Any])?["error"] as? String }
            #expect(
                reasons.contains { $0.contains("argument `methodArgs[0]`: must be an http:// or https:// URL") },
                "\(reasons)")
            #expect(
                reasons.contains { $0.contains("argument `--max-redirects`: must be a whole number") }, "\(reasons)")
        }
    }

    /// Sends one `httpGet` to node `edge` per entry of `arguments` and returns each result, keyed by its
    /// arguments joined with spaces.
    private func fetch(_ arguments: [[String]], central: AgentProcess) async throws -> [String: [String: Any]] {
        let messages = arguments.map { ["toNode": "edge", "method": "httpGet", "methodArgs": $0] }
        let json = try JSONSerialization.data(withJSONObject: messages)
        try central.write(inmsg: String(decoding: json, as: UTF8.self))
        return try await results(count: arguments.count, central: central)
    }

    /// Waits until `count` messages have their later result, and returns the results keyed by the arguments.
    private func results(count: Int, central: AgentProcess) async throws -> [String: [String: Any]] {
        var results: [String: [String: Any]] = [:]
        for record in try await settled(count: count, central: central) {
            guard let arguments = record["methodArgs"] as? [String], let result = record["result"] as? [String: Any]
            else { continue }
            results[arguments.joined(separator: " ")] = result
        }
        return results
    }

    /// The outbox once `count` messages have a result or were refused.
    private func settled(count: Int, central: AgentProcess) async throws -> [[String: Any]] {
        let done: ([String: Any]) -> Bool = {
            $0["result"] != nil || ($0["reply"] as? [String: Any])?["status"] as? String == "rejected"
        }
        let settled = await eventually(timeout: .seconds(30)) {
            ((try? await central.messages()) ?? []).filter(done).count >= count
        }
        let records = try await central.messages()
        guard settled else { throw TestFailure("\(count) results did not come: \(records)") }
        return records
    }

    /// Sends a ping to `edge` from the central node; returns once it is the `number`th ping ACKed (false if not
    /// within the deadline).
    private func pingAnswered(_ number: Int, central: AgentProcess) async throws -> Bool {
        try central.write(inmsg: #"{"toNode":"edge","method":"ping"}"#)
        return await eventually(timeout: .seconds(20)) {
            ((try? await central.messages()) ?? []).filter {
                $0["method"] as? String == "ping" && $0["state"] as? String == "acked"
            }.count == number
        }
    }

    /// The agent's threads that run a transfer (named by the agent).
    private func transferThreads(of pid: Int32) -> Int {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        return tasks.filter {
            (try? String(contentsOfFile: "/proc/\(pid)/task/\($0)/comm", encoding: .utf8)) == "bosun-http\n"
        }.count
    }
}
