import Foundation
import Testing

/// What scripts get beside the console: `bosun watch`, `bosun cancel`, `bosun retry`, and query commands that
/// take only their own options. Real nats-server, the central engine (`bosun serve`), real agents.
@Suite(.serialized)
struct ScriptCommandsTests {
    @Test func watchJSONShowsANodeComingAndGoingAndTheEventsOfASend() async throws {
        try await withCentral { server, directory, central in
            let watch = try BackgroundProgram(
                Binaries.bosun, ["watch", "--json", "--data-dir", central.dataDirectory], environment: [:],
                directory: directory)
            let agent = AgentProcess(node: "edge", server: server.url, dataDirectory: directory + "/edge")
            defer { agent.stop() }
            try await agent.start()
            #expect(
                await eventually(timeout: .seconds(20)) {
                    events(watch).contains { $0["event"] == "up" && $0["node"] == "edge" }
                },
                "watch: \(watch.stdout) \(watch.stderr)")

            let send = try await bosun(
                ["send", "--to", "edge", "--", "echo", "watched"], server: server.url,
                dataDirectory: central.dataDirectory)
            #expect(send.status == 0, "\(send.stderr)")
            let id = try #require(try await central.messages().first?["id"] as? String)
            let steps = { events(watch).filter { $0["id"] == id }.compactMap { $0["event"] } }
            #expect(await eventually { steps().contains("acked") }, "watch: \(watch.stdout)")
            #expect(steps().first == "accepted", "\(steps())")
            #expect(events(watch).contains { $0["id"] == id && $0["event"] == "acked" && $0["node"] == "edge" })

            agent.stop()
            #expect(
                await eventually(timeout: .seconds(20)) {
                    events(watch).contains { $0["event"] == "down" && $0["node"] == "edge" }
                },
                "watch: \(watch.stdout)")
        }
    }

    @Test func cancelWithdrawsAQueuedMessageThroughTheRunningEngine() async throws {
        try await withCentral { server, _, central in
            let queued = try await bosun(
                ["send", "--no-wait", "--to", "away", "--", "true"], server: server.url,
                dataDirectory: central.dataDirectory)
            let id = queued.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(queued.status == 0 && !id.isEmpty, "\(queued.stderr)")

            let cancel = try await bosun(["cancel", id], server: server.url, dataDirectory: central.dataDirectory)
            #expect(cancel.status == 0, "\(cancel.stderr)")
            #expect(cancel.stdout == "cancelled message \(id) to away\n")
            #expect(
                await eventually {
                    (try? await central.messages().first { $0["id"] as? String == id }?["state"] as? String)
                        == "cancelled"
                })

            let again = try await bosun(["cancel", id], server: server.url, dataDirectory: central.dataDirectory)
            #expect(again.status == 1)
            #expect(again.stderr.contains("message \(id) to away is cancelled already"), "\(again.stderr)")
        }
    }

    @Test func cancelOfAnOperationWithdrawsAllItsWaitingMessages() async throws {
        try await withCentral { server, _, central in
            let fanOut = try await bosun(
                ["send", "--no-wait", "--to", "gone-1,gone-2", "--", "true"], server: server.url,
                dataDirectory: central.dataDirectory)
            #expect(fanOut.status == 0, "\(fanOut.stdout)\(fanOut.stderr)")
            let operation = String(fanOut.stdout.dropFirst("operation ".count).prefix { $0 != ":" })
            let cancel = try await bosun(
                ["cancel", operation], server: server.url, dataDirectory: central.dataDirectory)
            #expect(cancel.status == 0, "\(cancel.stderr)")
            #expect(
                cancel.stdout == "cancelled 2 of the 2 messages of operation \(operation) (the others were final)\n")
            #expect(
                await eventually {
                    let states = (try? await central.messages().compactMap { $0["state"] as? String }) ?? []
                    return states == ["cancelled", "cancelled"]
                })
        }
    }

    @Test func retryWaitsForAQueuedMessageAndRefusesAFinalOne() async throws {
        try await withNATSServerAndDirectory { server, directory in
            let data = directory + "/central"
            // send's own engine leaves the message queued: nobody carries it until retry starts an engine.
            let queued = try await bosun(
                ["send", "--fail-fast", "--to", "later", "--", "echo", "at last"], server: server, dataDirectory: data)
            #expect(queued.status == 69, "\(queued.stderr)")
            let messages = try await runProgram(Binaries.bosun, ["messages", "--json", "--data-dir", data]).stdout
            let id = try #require(
                (try? JSONSerialization.jsonObject(with: Data(messages.utf8)) as? [String: Any])?["id"] as? String)

            let waiting = try await bosun(["retry", "--timeout", "2", id], server: server, dataDirectory: data)
            #expect(waiting.status == 75, "\(waiting.stderr)")
            #expect(waiting.stderr.contains("message \(id) to later stays queued"), "\(waiting.stderr)")

            let agent = AgentProcess(node: "later", server: server, dataDirectory: directory + "/later")
            defer { agent.stop() }
            try await agent.start()
            let retried = try await bosun(["retry", id], server: server, dataDirectory: data)
            #expect(retried.status == 0, "\(retried.stderr)")
            #expect(retried.stdout == "at last\n")

            let final = try await bosun(["retry", id], server: server, dataDirectory: data)
            #expect(final.status == 1)
            #expect(final.stderr.contains("is acked already; bosun replay \(id) sends a copy"), "\(final.stderr)")
        }
    }

    @Test func queryCommandsTakeOnlyTheirOwnOptionsAndListNodesInNaturalOrder() async throws {
        let help = try await runProgram(Binaries.bosun, ["messages", "--help"])
        #expect(help.stdout.contains("--data-dir"))
        for option in ["--retries", "--trust", "--ack-timeout", "--server", "--require-signatures"] {
            #expect(!help.stdout.contains(option), "bosun messages --help lists \(option)")
        }
        let refused = try await runProgram(Binaries.bosun, ["nodes", "--retries", "3"])
        #expect(refused.status == 64)
        #expect(refused.stderr.contains("Unknown option '--retries'"), "\(refused.stderr)")

        try await withCentral { server, directory, central in
            var agents: [AgentProcess] = []
            defer { agents.forEach { $0.stop() } }
            for name in ["pi-10", "pi-9", "pi-2"] {
                let agent = AgentProcess(node: name, server: server.url, dataDirectory: directory + "/" + name)
                try await agent.start()
                agents.append(agent)
            }
            var names: [String] = []
            let listed = await eventually(timeout: .seconds(20)) {
                let nodes =
                    (try? await runProgram(Binaries.bosun, ["nodes", "--data-dir", central.dataDirectory]).stdout) ?? ""
                names = nodes.split(separator: "\n").map { String($0.prefix { $0 != "\t" }) }
                return names.count == 3
            }
            #expect(listed && names == ["pi-2", "pi-9", "pi-10"], "\(names)")
        }
    }
}

/// The JSON events `bosun watch --json` printed so far, their text fields.
private func events(_ watch: BackgroundProgram) -> [[String: String]] {
    watch.stdout.split(separator: "\n").compactMap {
        (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?.compactMapValues { $0 as? String }
    }
}
