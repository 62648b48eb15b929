import Foundation
import Shared
import Synchronization
import Testing

/// A burst of events is answered in batches of ACKs, one MAC each, and the sender takes them: every event acked on
/// its first attempt. Real nats-server, real processes.
@Suite(.serialized)
struct AckBatchTests {
    @Test func aBurstOfEventsIsAnsweredInBatchesTheSenderTakesAtOnce() async throws {
        try await withServerAndDirectory { server, directory in
            let central = AgentProcess.central(server: server, directory: directory)
            defer { central.stop() }
            try await central.start()
            let agent = AgentProcess(node: "edge", server: server, dataDirectory: directory + "/edge")
            defer { agent.stop() }
            try await agent.start()
            let logFile = central.dataDirectory + "/logs/edge/app.log"
            func lines() -> [Substring] {
                ((try? String(contentsOfFile: logFile, encoding: .utf8)) ?? "").split(separator: "\n")
            }
            // One line first, so the central knows the node before the burst.
            try agent.write(inmsg: AgentProcess.logEvents(0..<1))
            #expect(await eventually(timeout: .seconds(30)) { lines().count == 1 })

            // Every answer to the agent, as it goes by.
            let watcher = try await NATSConnection.connect(NATSConfiguration(servers: [server]))
            let answers = try watcher.subscribe("_INBOX.>")
            try await watcher.flush()
            let batches = Mutex<[NATSMessage]>([])
            let watching = Task {
                for await answer in answers where answer.batchAuthentication != nil {
                    batches.withLock { $0.append(answer) }
                }
            }
            defer { watching.cancel() }

            try agent.write(inmsg: AgentProcess.logEvents(1..<2_001))
            #expect(await eventually(timeout: .seconds(60)) { agent.journalIDs("acked").count == 2_001 })
            let written = lines()
            let inOrder = written.elementsEqual((0..<2_001).lazy.map { "line \($0)" })
            #expect(written.count == 2_001)
            #expect(inOrder, "the central's log holds line 0 to line 2000 in order")
            // Each event went out once: a batch the sender did not take would have left its events to be sent
            // again after their ACK timeout.
            let burst = Set(agent.journalIDs("accepted").dropFirst())
            #expect(burst.count == 2_000)
            #expect(agent.journalIDs("attempt").filter(burst.contains).count == 2_000)
            #expect(Set(agent.journalIDs("acked")).count == 2_001)

            // The central answered in batches, each under its own key with a MAC the agent's pair key checks.
            let centralKey = try TestFleet.centralKey(dataDirectory: central.dataDirectory)
            let agentKey = try NodeKey.load(path: agent.dataDirectory + "/node.key")
            let pair = try #require(agentKey.pairKey(with: centralKey.publicKey))
            let seen = batches.withLock { $0 }
            #expect(!seen.isEmpty)
            var answered = Set<String>()
            for batch in seen {
                let authentication = try #require(batch.batchAuthentication)
                #expect(authentication.key == centralKey.publicKey)
                #expect(ReplyBatch.hasValidMAC(authentication.mac, subject: batch.subject, payload: batch.payload, key: pair))
                let entries = try ReplyBatch.decode(batch.payload).entries
                #expect(entries.count >= 2)
                #expect(entries.allSatisfy { $0.reply.status == .ok && $0.reply.fromNode == "central" })
                answered.formUnion(entries.map(\.reply.id))
            }
            #expect(answered.isSubset(of: burst))
        }
    }
}
