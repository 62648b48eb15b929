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
                let logFile = central.dataDirectory + "/logs/edge/app.log"
                func lines() -> [Substring] {
                    ((try? String(contentsOfFile: logFile, encoding: .utf8)) ?? "").split(separator: "\n")
                }
                #expect(await eventually(timeout: .seconds(180), interval: .milliseconds(500)) { lines().count >= 20_000 })
                let written = lines()
                #expect(written.count == 20_000)
                #expect(written.elementsEqual((0..<20_000).lazy.map { "line \($0)" }))
            }
        }
    }
}
