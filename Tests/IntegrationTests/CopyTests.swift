import Foundation
import Shared
import Testing

/// `copy`: a file from one agent to another in checked chunks, through both outboxes.
@Suite(.serialized)
struct CopyTests {
    @Test func aTwentyMegabyteFileArrivesWholeEvenWhenTheReceiverIsKilledMidCopy() async throws {
        try await withCentral { server, directory, central in
            try await copyScenario(server: server.url, directory: directory, central: central)
        }
    }

    private func copyScenario(server: String, directory: String, central: AgentProcess) async throws {
        let from = directory + "/from"
        let to = directory + "/to"
        for folder in [from, to] { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
        let random = try #require(FileHandle(forReadingAtPath: "/dev/urandom"))
        let content = try #require(try random.read(upToCount: 20 * 1024 * 1024))
        try random.close()
        try content.write(to: URL(fileURLWithPath: from + "/image.bin"))
        let expected = SHA256Digest.hash(content)

        let sender = AgentProcess(node: "edge-a", server: server, dataDirectory: directory + "/edge-a")
        defer { sender.stop() }
        try await sender.start(extraArguments: ["--allow-dir", from])
        // Node to node: the receiving agent takes the sending agent's chunks only under a key it trusts.
        let senderKey = try NodeKey.load(path: sender.dataDirectory + "/node.key").publicKey
        let receiverArguments = ["--allow-dir", to, "--trust", senderKey]
        let receiver = AgentProcess(node: "edge-b", server: server, dataDirectory: directory + "/edge-b")
        defer { receiver.stop() }
        try await receiver.start(extraArguments: receiverArguments)

        // Some chunks are in place when the receiving agent dies, and not all. A copy takes well under a second here,
        // less than a busy machine may leave this test between two looks: the receiving agent runs in slices of
        // 20 ms, stopped (SIGSTOP) while the test counts its chunks, so it cannot finish unseen. The slices are timed
        // on a thread of their own: a sleeping task waits for a free thread of the pool, which a full test run keeps
        // busy, and its 20 ms once stretched past the whole copy.
        let pid = try #require(receiver.child?.pid)
        kill(pid, SIGSTOP)
        // On every way out, before the stop above (a stopped process does not end on SIGTERM).
        defer { kill(pid, SIGCONT) }
        try central.write(inmsg: #"{"toNode":"edge-a","method":"copy","methodArgs":["--to=edge-b","\#(from)/image.bin","\#(to)/image.bin"]}"#)
        let chunks = to + "/image.bin.bosun-copy.chunks"
        @Sendable func written() -> Int {
            ((try? String(contentsOfFile: chunks, encoding: .utf8)) ?? "").split(separator: "\n").count
        }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            Thread.detachNewThread {
                let deadline = ContinuousClock.now + .seconds(60)
                while written() < 10, ContinuousClock.now < deadline {
                    kill(pid, SIGCONT)
                    usleep(20_000)
                    kill(pid, SIGSTOP)
                    usleep(5_000)
                }
                continuation.resume()
            }
        }
        #expect(written() >= 10)
        receiver.stop(signal: SIGKILL)
        #expect(!FileManager.default.fileExists(atPath: to + "/image.bin"))
        try await receiver.start(extraArguments: receiverArguments)

        let copied = await eventually(timeout: .seconds(120)) {
            let result = try? await central.messages().first?["result"] as? [String: Any]
            return (result?["stdout"] as? String)?.hasPrefix("copied 20971520 bytes") == true
        }
        #expect(copied, "sender's log:\n\(sender.log.suffix(6000))\nreceiver's log:\n\(receiver.log.suffix(6000))")
        let arrived = try Data(contentsOf: URL(fileURLWithPath: to + "/image.bin"))
        #expect(SHA256Digest.hash(arrived) == expected)
        #expect(!FileManager.default.fileExists(atPath: chunks))
    }
}
