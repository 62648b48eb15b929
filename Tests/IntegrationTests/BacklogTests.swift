import Foundation
import Testing

/// A long outage of the central node: what an agent queued meanwhile arrives once, and in order.
@Suite(.serialized)
struct BacklogTests {
    @Test func twentyThousandLogLinesQueuedWhileTheCentralIsDownArriveOnceAndInOrder() async throws {
        try await withNATSServer { server in
            try await withTemporaryDirectory { directory in
                let agent = AgentProcess(node: "edge", server: server.url, dataDirectory: directory + "/edge")
                defer { agent.stop() }
                try await agent.start()
                // Two inputs of 10,000 (the limit per input file), the second once the first is accepted.
                try agent.write(inmsg: AgentProcess.logEvents(0..<10_000))
                #expect(await eventually(timeout: .seconds(60)) { agent.journalIDs("accepted").count == 10_000 })
                try agent.drop(inbox: AgentProcess.logEvents(10_000..<20_000), name: "more.json")
                #expect(await eventually(timeout: .seconds(60)) { agent.journalIDs("accepted").count == 20_000 })

                let central = AgentProcess.central(server: server.url, directory: directory)
                defer { central.stop() }
                try await central.start()
                func lines() -> [Substring] { central.logLines(from: "edge") }
                #expect(await eventually(timeout: .seconds(180), interval: .milliseconds(500)) { lines().count >= 20_000 })
                let written = lines()
                #expect(written.count == 20_000)
                #expect(written.elementsEqual((0..<20_000).lazy.map { "line \($0)" }))
            }
        }
    }

    /// An agent waits out a long backoff between probes while its central node is away; the central node, back, says
    /// so to the nodes it knows, and what waited is sent at once rather than at the next probe.
    @Test func whatWaitedForTheCentralIsSentAsSoonAsItIsBack() async throws {
        try await withServerAndDirectory { server, directory in
            let central = AgentProcess.central(server: server, directory: directory)
            defer { central.stop() }
            try await central.start()
            let agent = AgentProcess(node: "edge", server: server, dataDirectory: directory + "/edge")
            defer { agent.stop() }
            // About a minute between probes once the central node is found away.
            try await agent.start(extraArguments: ["--retry-wait", "60"])
            func lines() -> Int { central.logLines(from: "edge").count }
            try agent.write(inmsg: AgentProcess.logEvents(0..<1))
            // Past one probe wait: on a loaded machine the first attempt can miss (twice in full runs, under load),
            // and the next comes a minute later. This step only lets the central node meet the agent.
            #expect(await eventually(timeout: .seconds(90)) { lines() == 1 })

            central.stop()
            try agent.drop(inbox: AgentProcess.logEvents(1..<101), name: "while-away.json")
            // The agent tried them, found nobody there, and waits for its next probe.
            #expect(await eventually(timeout: .seconds(30)) { Set(agent.journalIDs("attempt")).count > 1 })
            try await central.start()
            #expect(await eventually(timeout: .seconds(20)) { lines() == 101 })
            #expect(central.log.contains("told the nodes this node is back"))
        }
    }
}
