import Foundation
import Testing

/// `bosun serve --metrics ADDR`: the central's Prometheus endpoint, read with a real HTTP client (curl) while a
/// real agent answers and another node is away.
@Suite(.serialized)
struct PrometheusTests {
    @Test func theMetricsEndpointServesMessagesBacklogNodesLatencyAndRefusals() async throws {
        let port = freePort()
        try await withCentral(arguments: ["--metrics", "127.0.0.1:\(port)"]) { server, directory, central in
            let agent = AgentProcess(node: "edge", server: server.url, dataDirectory: directory + "/edge")
            defer { agent.stop() }
            try await agent.start()
            let data = central.dataDirectory
            for arguments in [["--method", "ping"], ["--", "echo", "hi"]] {
                let sent = try await bosun(
                    ["send", "--to", "edge"] + arguments, server: server.url, dataDirectory: data)
                #expect(sent.status == 0, "\(sent.stderr)")
            }
            // fileRead with no allowed directory: the agent refuses it.
            let refused = try await bosun(
                ["send", "--to", "edge", "--method", "fileRead", "--", "/etc/hostname"], server: server.url,
                dataDirectory: data)
            #expect(refused.status == 65, "\(refused.stderr)")
            let queued = try await bosun(
                ["send", "--no-wait", "--to", "away", "--", "true"], server: server.url, dataDirectory: data)
            #expect(queued.status == 0, "\(queued.stderr)")

            var text = ""
            let expected = [
                #"bosun_messages{state="acked"} 2"#, #"bosun_messages{state="rejected"} 1"#,
                #"bosun_node_backlog{node="away"} 1"#, #"bosun_nodes{liveness="up"} 1"#, "bosun_refusals_total 1",
                "bosun_ack_latency_seconds_count 2",
            ]
            let served = await eventually(timeout: .seconds(15), interval: .milliseconds(200)) {
                text =
                    (try? await runProgram("/usr/bin/curl", ["-sS", "http://127.0.0.1:\(port)/metrics"]).stdout) ?? ""
                // Gauges are floating point (`2.0`), counters whole.
                return expected.allSatisfy { line in
                    text.split(separator: "\n").contains { $0 == line || $0 == line + ".0" }
                }
            }
            #expect(served, "metrics:\n\(text)")
            #expect(text.contains("# TYPE bosun_ack_latency_seconds histogram"), "\(text)")

            // What is not a scrape is refused with its reason; a client that never finishes its request does not
            // hold up the next one.
            let stalled = try BackgroundProgram(
                "/usr/bin/python3",
                ["-u", "-c", "import socket, time; s = socket.create_connection(('127.0.0.1', \(port)));"
                    + " s.sendall(b'GET /metrics HTTP/1.1\\r\\n'); print('connected'); time.sleep(30)"],
                environment: [:], directory: directory)
            #expect(await eventually(timeout: .seconds(20)) { stalled.stdout == "connected\n" }, "\(stalled.stderr)")
            let url = "http://127.0.0.1:\(port)"
            for (arguments, expected) in [
                ([url + "/nope"], "not found: /nope (metrics are at /metrics)\n\n404"),
                (["-X", "DELETE", url + "/metrics"], "DELETE /metrics: use GET\n\n405"),
            ] {
                let answer = try await runProgram("/usr/bin/curl", ["-sS", "-w", "\n%{http_code}"] + arguments)
                #expect(answer.stdout == expected, "\(arguments): \(answer.stdout) \(answer.stderr)")
            }
            let head = try await runProgram("/usr/bin/curl", ["-sS", "-I", url + "/metrics"]).stdout
            #expect(head.hasPrefix("HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4"), "\(head)")
            withExtendedLifetime(stalled) {}
            // The endpoint's HTTP is its own on FlyingSocks: the central loads no FoundationNetworking for it, nor the
            // 28 libraries that brings (libcurl among them).
            let maps = try String(contentsOfFile: "/proc/\(try #require(central.child?.pid))/maps", encoding: .utf8)
            #expect(!maps.contains("libcurl") && !maps.contains("FoundationNetworking"))
        }
    }

    @Test func theMetricsEndpointServesEachNodesLatestSampleLabelledByNode() async throws {
        let port = freePort()
        try await withCentral(arguments: ["--metrics", "127.0.0.1:\(port)"]) { server, directory, central in
            let agent = AgentProcess(node: "edge", server: server.url, dataDirectory: directory + "/edge")
            defer { agent.stop() }
            try await agent.start(extraArguments: ["--metrics-interval", "1"])
            let names = [
                #"bosun_node_cpu_percent{node="edge"}"#, #"bosun_node_mem_percent{node="edge"}"#,
                #"bosun_node_disk_percent{node="edge",mount="/"}"#, #"bosun_node_load1{node="edge"}"#,
                #"bosun_node_queue{node="edge"}"#, #"bosun_node_agent_rss_bytes{node="edge"}"#,
            ]
            var text = ""
            var values: [String: Double] = [:]
            let served = await eventually(timeout: .seconds(20), interval: .milliseconds(300)) {
                text =
                    (try? await runProgram("/usr/bin/curl", ["-sS", "http://127.0.0.1:\(port)/metrics"]).stdout) ?? ""
                values = Dictionary(
                    text.split(separator: "\n").compactMap { line -> (String, Double)? in
                        guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...])
                        else { return nil }
                        return (String(line[..<space]), value)
                    }
                ) { first, _ in first }
                return names.allSatisfy { values[$0] != nil }
            }
            #expect(served, "metrics:\n\(text)\ncentral log:\n\(central.log)")
            for name in names where name.contains("percent") {
                #expect((0...100).contains(values[name] ?? -1), "\(name) = \(values[name] ?? -1)")
            }
            #expect((values[#"bosun_node_agent_rss_bytes{node="edge"}"#] ?? 0) > 1_000_000, "\(text)")
            #expect(text.contains("# TYPE bosun_node_cpu_percent gauge"), "\(text)")
            // What the store has for the node, the endpoint serves: the node's latest CPU sample.
            let stored = try await runProgram(
                Binaries.bosun, ["metrics", "edge", "--json", "--since", "1h", "--data-dir", central.dataDirectory])
            #expect(stored.stdout.contains("\"cpu\""), "\(stored.stdout)")
        }
    }

    /// Connections beyond the endpoint's limit are closed as soon as they come (a flood costs no memory); once the
    /// flood goes, a scrape is served.
    @Test func connectionsBeyondTheLimitAreClosedAndTheEndpointServesOnceTheyGo() async throws {
        let port = freePort()
        try await withCentral(arguments: ["--metrics", "127.0.0.1:\(port)"]) { _, _, _ in
            // The central closes the 8 beyond the limit as it accepts them; the others wait for their request's end
            // (10 s), so the count is read until it reaches 8, for up to 8 s.
            let flood = """
                import socket, select, time
                held = []
                for _ in range(40):
                    s = socket.create_connection(('127.0.0.1', \(port)))
                    s.sendall(b'GET /metrics HTTP/1.1\\r\\n')
                    held.append(s)
                closed = set()
                deadline = time.time() + 8
                while len(closed) < 8 and time.time() < deadline:
                    for s in select.select([s for s in held if s not in closed], [], [], 0.1)[0]:
                        try:
                            if s.recv(16) == b'':
                                closed.add(s)
                        except ConnectionResetError:
                            closed.add(s)
                time.sleep(0.5)
                for s in held:
                    if s not in closed and select.select([s], [], [], 0)[0]:
                        closed.add(s)
                print(len(closed))
                """
            let result = try await runProgram("/usr/bin/python3", ["-c", flood])
            #expect(result.stdout == "8\n", "\(result.stdout) \(result.stderr)")
            let served = await eventually(timeout: .seconds(10), interval: .milliseconds(100)) {
                let scrape = try? await runProgram("/usr/bin/curl", ["-sS", "http://127.0.0.1:\(port)/metrics"])
                return scrape?.stdout.contains("# TYPE bosun_ack_latency_seconds histogram") ?? false
            }
            #expect(served)
        }
    }

    @Test func aBadMetricsAddressIsRefusedNamingTheOption() async throws {
        let result = try await runProgram(Binaries.bosun, ["serve", "--metrics", "nowhere"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("--metrics nowhere: give HOST:PORT, :PORT or [IPv6]:PORT"), "\(result.stderr)")
    }
}
