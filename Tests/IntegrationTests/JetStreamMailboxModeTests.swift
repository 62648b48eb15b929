import Foundation
import Shared
import Testing

/// `--mailbox jetstream` with real processes on a real three-server JetStream cluster: messages accepted by the
/// central are kept by the cluster, so they reach their node after the central machine is gone, each once, in
/// acceptance order.
@Suite(.serialized)
struct JetStreamMailboxModeTests {
    @Test func messagesForADownNodeRunOnceInOrderAfterTheCentralAndItsDataAreGone() async throws {
        try await withJetStreamCluster { cluster in
            try await withTemporaryDirectory { directory in
                try await centralLostScenario(cluster, directory: directory)
            }
        }
    }

    private func centralLostScenario(_ cluster: JetStreamCluster, directory: String) async throws {
        let count = 500
        let allowed = directory + "/out"
        try FileManager.default.createDirectory(atPath: allowed, withIntermediateDirectories: true)
        let target = allowed + "/lines.txt"

        let central = AgentProcess.central(server: cluster.urls, directory: directory)
        defer { central.stop(signal: SIGKILL) }
        try await central.start(extraArguments: ["--mailbox", "jetstream"])
        let batch = (0..<count).map {
            #"{"toNode":"edge","method":"fileAppend","methodArgs":["\#(target)"],"data":"\#($0)\n"}"#
        }
        try central.write(inmsg: "[" + batch.joined(separator: ",") + "]")
        // Safe once the cluster has them all: then the central machine is lost, with its data.
        let stored = try await withJetStreamClient(cluster.urls) { client in
            await eventually(timeout: .seconds(60)) {
                (try? await client.js.streamState(MailboxSubjects.mailboxStream).messages) == UInt64(count)
            }
        }
        #expect(stored, "the mailbox stream did not get all \(count) messages:\n\(central.log.suffix(3000))")
        central.stop(signal: SIGKILL)
        try FileManager.default.removeItem(atPath: central.dataDirectory)

        let edge = AgentProcess(node: "edge", server: cluster.urls, dataDirectory: directory + "/edge")
        defer { edge.stop() }
        try await edge.start(extraArguments: ["--mailbox", "jetstream", "--allow-dir", allowed])
        let expected = (0..<count).map(String.init)
        func lines() -> [String] {
            ((try? String(contentsOfFile: target, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        }
        let arrived = await eventually(timeout: .seconds(120)) { lines().count >= count }
        #expect(arrived, "\(lines().count) of \(count) lines; agent log:\n\(edge.log.suffix(3000))")
        #expect(lines() == expected)

        // Restarted, the agent reads on after the last message it handled: nothing runs again.
        let last = try await withJetStreamClient(cluster.urls) { client in
            try await client.js.streamState(MailboxSubjects.mailboxStream).lastSequence
        }
        #expect(await eventually(timeout: .seconds(30)) { MailboxPlace.read(edge.dataDirectory) == last })
        edge.stop()
        try await edge.start(extraArguments: ["--mailbox", "jetstream", "--allow-dir", allowed])
        #expect(await eventually { edge.log.contains("reading the mailbox") && edge.log.contains("after=\(last)") })
        #expect(lines() == expected)
    }
}

/// The place an agent keeps in its mailbox (`<data-dir>/mailbox.db`), read through the store.
enum MailboxPlace {
    static func read(_ dataDirectory: String) -> UInt64? {
        try? MailboxPlaceStore(path: dataDirectory + "/mailbox.db").place(stream: MailboxSubjects.mailboxStream)
    }
}
