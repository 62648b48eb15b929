import ArgumentParser
import Foundation
import Shared
import Synchronization

/// `bosun-bench refusals`: what refusing a hostile payload costs, now that signatures are checked from the
/// headers before anything is decoded. In-process figures per payload (the check alone, beside a full decode of
/// the same bytes), then a real agent refusing a stream of unsigned commands over NATS: refusals answered per
/// second, the agent's CPU per refusal and its RSS before and after.
struct RefusalBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "refusals", abstract: "The cost of refusing unsigned and forged payloads.")

    @Option(help: "Payloads per in-process figure.") var iterations = 20_000
    @Option(help: "Unsigned commands sent to the real agent.") var messages = 20_000

    func run() async throws {
        let trusted = NodeKey()
        let policy = TrustPolicy(trustedKeys: [trusted.publicKey])
        let message = try Message(toNode: "edge", method: .cliCommand, methodArgs: ["sh", "-c", String(repeating: "x", count: 900)])
            .accepted(from: "central", defaults: .standard)[0]
        let subjectText = message.subject!.description
        let subject = message.subject!
        let payload = message.encoded()
        let unsigned = NATSMessage(subject: subjectText, payload: payload)
        let stranger = NATSMessage(subject: subjectText, payload: payload,
            signature: NodeKey().signature(subject: subjectText, payload: payload))
        var forged = NATSMessage(subject: subjectText, payload: payload,
            signature: trusted.signature(subject: subjectText, payload: payload))
        forged.payload[forged.payload.count / 2] ^= 1
        let genuine = NATSMessage(subject: subjectText, payload: payload,
            signature: trusted.signature(subject: subjectText, payload: payload))
        print("per payload of \(payload.count) bytes, median of 5 runs of \(iterations):")
        let figures: [(String, () -> Void)] = [
            ("refuse unsigned (no decode)", { _ = policy.admit(unsigned, subject: subject, node: "edge") }),
            ("refuse an untrusted key (no decode, no verify)", { _ = policy.admit(stranger, subject: subject, node: "edge") }),
            ("refuse a bad signature by a trusted key (verify)", { _ = policy.admit(forged, subject: subject, node: "edge") }),
            ("admit a genuine message (verify)", { _ = policy.admit(genuine, subject: subject, node: "edge") }),
            ("decode the same bytes (what a refusal no longer costs)", { _ = try? Message.decode(payload) }),
        ]
        for (name, work) in figures {
            let runs = (0..<5).map { _ in Self.microseconds(iterations, work) }.sorted()
            let padded = name.padding(toLength: 56, withPad: " ", startingAt: 0)
            print("  " + padded + String(format: " %8.2f µs", runs[2]))
        }
        try await agentFigures(payload: payload, subject: subjectText)
    }

    private static func microseconds(_ count: Int, _ work: () -> Void) -> Double {
        let start = ContinuousClock.now
        for _ in 0..<count { work() }
        return (ContinuousClock.now - start).seconds * 1_000_000 / Double(count)
    }

    /// A real agent refusing `messages` unsigned commands, each answered with its refusal.
    private func agentFigures(payload: [UInt8], subject: String) async throws {
        let harness = try Harness()
        try await harness.startServer()
        let agent = try await harness.startAgent(node: "edge", extra: ["--metrics-interval", "0", "--refusal-interval", "60"])
        let connection = try await harness.connection()
        let answered = Atomic<Int>(0)
        let inbox = "_INBOX.refusals"
        let subscription = try connection.subscribe(inbox + ".>")
        let counter = Task { for await _ in subscription { answered.add(1, ordering: .relaxed) } }
        try await connection.flush()
        let before = try ProcessFigures(pid: agent.processIdentifier)
        let start = ContinuousClock.now
        for index in 0..<messages {
            try connection.publish(subject, payload: payload, replyTo: "\(inbox).\(index)")
            // Keep under the agent's concurrent-run bound, as a sender waiting for answers would.
            while index - answered.load(ordering: .relaxed) > 512 { try await Task.sleep(for: .milliseconds(1)) }
        }
        while answered.load(ordering: .relaxed) < messages, ContinuousClock.now - start < .seconds(120) {
            try await Task.sleep(for: .milliseconds(5))
        }
        let elapsed = (ContinuousClock.now - start).seconds
        let after = try ProcessFigures(pid: agent.processIdentifier)
        counter.cancel()
        let count = answered.load(ordering: .relaxed)
        print("real agent, \(messages) unsigned commands of \(payload.count) bytes over NATS:")
        print(String(format: "  refused and answered %d in %.2f s: %.0f/s", count, elapsed, Double(count) / elapsed))
        print(String(format: "  agent CPU per refusal %.1f µs; RSS %.1f MB before, %.1f MB after (peak %.1f MB)",
            (after.cpuMilliseconds - before.cpuMilliseconds) * 1000 / Double(max(1, count)),
            before.rssKB / 1024, after.rssKB / 1024, after.peakKB / 1024))
        await connection.close()
    }
}
