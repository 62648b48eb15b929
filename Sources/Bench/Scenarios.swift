import Foundation
import Shared

/// The delivery engine's benchmarks, each against plain libnats measured in the same run.
enum Scenarios {
    static let agentNode = "bench-edge"
    /// Answered by the raw responder: the sender's engine against a receiver that stores nothing.
    static let rawNode = "bench-raw"

    /// A nats-server, an agent for ``agentNode`` and the raw responder, all started. `signs: false`: the agent signs
    /// nothing and takes unsigned messages.
    private static func agentAndRawResponder(signs: Bool = true) async throws -> (Harness, agent: Process) {
        let harness = try Harness()
        try await harness.startServer()
        let agent = try await harness.startAgent(
            node: agentNode, extra: signs ? [] : ["--insecure-accept-unsigned", "--insecure-sign-nothing"])
        try await harness.startRawResponder()
        return (harness, agent)
    }

    /// Sequential ACKed `ping` round trips through the whole engine (durable on both sides) vs raw request/reply
    /// to a responder process that only echoes.
    static func ping(count: Int) async throws -> [String: Latencies] {
        guard count > 0 else { return [:] }
        let (harness, _) = try await agentAndRawResponder()

        let raw = try await harness.connection()
        var rawSamples: [Duration] = []
        let payload = try Message(toNode: agentNode, method: .ping).accepted(from: "central", defaults: .standard)[0].encoded()
        for _ in 0..<count {
            let start = ContinuousClock.now
            _ = try await raw.request("raw.ping", payload: payload, timeout: .seconds(5))
            rawSamples.append(.now - start)
        }
        await raw.close()

        let runtime = try await harness.runtime()
        let finals = Finals(runtime.outbox)
        let running = Task { try await runtime.run() }
        defer { running.cancel() }
        func engine(to node: String) async throws -> [Duration] {
            var samples: [Duration] = []
            for _ in 0..<count {
                let start = ContinuousClock.now
                let id = try runtime.accept([Message(toNode: node, method: .ping, ackTimeout: 5)])[0].id
                let state = await finals.final(id)
                guard state == .acked else { throw BenchError("ping \(id) ended \(state)") }
                samples.append(.now - start)
            }
            return samples
        }
        return [
            "raw": Latencies(rawSamples), "engine": Latencies(try await engine(to: agentNode)),
            "senderOnly": Latencies(try await engine(to: rawNode)),
        ]
    }

    /// `count` EventACK messages pipelined to one agent, durable on both sides, vs raw publishes with a reply
    /// each from the raw responder. Messages per second until the last is ACKed, and the CPU time each message
    /// cost the sender (this process, where the central's engine runs) and the receiving agent: on a busy machine
    /// the rate swings with the load, the CPU time per message much less.
    ///
    /// `signed: false` measures the engine without cryptography: nothing is signed, no signature or MAC checked
    /// (`--insecure-sign-nothing` on both sides); messages and ACKs still go in batches, unsigned.
    static func events(count: Int, signed: Bool = true) async throws -> [String: Double] {
        guard count > 0 else { return [:] }
        let (harness, agent) = try await agentAndRawResponder(signs: signed)

        let raw = try await harness.connection()
        let inbox = try raw.makeInbox()
        let payload = try Message(toNode: agentNode, messageType: .eventACK, method: .ping)
            .accepted(from: "central", defaults: .standard)[0].encoded()
        let rawStart = ContinuousClock.now
        for _ in 0..<count { try raw.publish("raw.event", payload: payload, replyTo: inbox.subject) }
        var replies = 0
        while replies < count, await inbox.next(timeout: .seconds(30)) != nil { replies += 1 }
        let rawElapsed = ContinuousClock.now - rawStart
        guard replies == count else { throw BenchError("raw: \(replies) of \(count) replies") }
        inbox.close()
        await raw.close()

        let runtime = try await harness.runtime(signs: signed)
        let finals = Finals(runtime.outbox)
        let running = Task { try await runtime.run() }
        defer { running.cancel() }
        // What the engine sends the agent, counted as it goes by: batches of messages (``MessageBatch``), each of
        // which costs the agent one check for all it carries, and single messages; each check a signature's, or a
        // MAC's (``WireSignature/isMAC``). Nothing signed, nothing is checked: only batches are watched then, so that
        // watching costs this process, whose CPU is measured, nothing per message sent alone.
        let watcher = try await harness.connection()
        let carried = try watcher.subscribe(signed ? "bosun.\(agentNode).>" : MessageBatch.subject(for: agentNode))
        try await watcher.flush()
        let counting = Task {
            var (batches, messages, macs) = (0, 0, 0)
            for await carrier in carried {
                if carrier.signature?.isMAC == true { macs += 1 }
                guard MessageBatch.isBatch(carrier.subject, for: agentNode) else { continue }
                batches += 1
                messages += (try? MessageBatch.decode(carrier.payload).items.count) ?? 0
            }
            return (batches, messages, macs)
        }
        let drafts = (0..<count).map { _ in Message(toNode: agentNode, messageType: .eventACK, method: .ping, ackTimeout: 30) }
        let (senderBefore, agentBefore) = (try ProcessFigures(pid: getpid()), try ProcessFigures(pid: agent.processIdentifier))
        let start = ContinuousClock.now
        try runtime.accept(drafts)
        await finals.total(reaching: count)
        let elapsed = ContinuousClock.now - start
        let (senderAfter, agentAfter) = (try ProcessFigures(pid: getpid()), try ProcessFigures(pid: agent.processIdentifier))
        carried.unsubscribe()
        let (batches, inBatches, macs) = await counting.value
        await watcher.close()
        let acked = try await countsOnceWritten(runtime, acked: count)[.acked] ?? 0
        guard acked == count else {
            let states = try runtime.store.outboxCounts().map { "\($0.key.rawValue): \($0.value)" }.sorted()
            throw BenchError("engine: \(acked) of \(count) acked (\(states.joined(separator: ", ")))")
        }
        return [
            "raw": Double(count) / (rawElapsed.milliseconds / 1000),
            "engine": Double(count) / (elapsed.milliseconds / 1000),
            "senderCPUMicrosecondsPerMessage": (senderAfter.cpuMilliseconds - senderBefore.cpuMilliseconds) * 1000 / Double(count),
            "agentCPUMicrosecondsPerMessage": (agentAfter.cpuMilliseconds - agentBefore.cpuMilliseconds) * 1000 / Double(count),
            "messageBatches": Double(batches), "messagesInBatches": Double(inBatches),
            // Checks at the agent per message: one per batch, one per message sent alone; those of a MAC apart.
            "signatureChecksPerMessage": Double(batches + count - inBatches - macs) / Double(count),
            "macChecksPerMessage": Double(macs) / Double(count),
        ]
    }

    /// The outbox's counts by state once `acked` messages are acked in the store, or after 2 s of waiting. A final
    /// state is shown to observers just before its write is submitted: the last ones may come after a first settle.
    private static func countsOnceWritten(_ runtime: NodeRuntime, acked: Int) async throws -> [OutboxState: Int] {
        var counts: [OutboxState: Int] = [:]
        for _ in 0..<100 {
            await runtime.store.settle()
            counts = try runtime.store.outboxCounts()
            if counts[.acked] ?? 0 >= acked { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        return counts
    }

    /// One `ping` to each of `count` simulated nodes (`bosun-agent --swarm`), of which only `up` run: time until
    /// every running node has ACKed, and how many messages are left waiting for the nodes that are down. Then the
    /// same ping again (`againAckedMs`): the first is a first contact with every node (each ACK's MAC key is worked
    /// out then, with the node's key in X25519 form unless its hello came first), the second is what an operator
    /// pinging a fleet the central knows waits for.
    static func fanOut(count: Int, up: Int) async throws -> [String: Double] {
        let harness = try Harness()
        try await harness.startServer()
        let swarm = try await harness.startSwarm(count: up)
        let runtime = try await harness.runtime()
        let finals = Finals(runtime.outbox)
        let running = Task { try await runtime.run() }
        defer { running.cancel() }
        let names = (0..<count).map { "sim-\($0)" }
        /// One ping to every node, until `acked` messages in all are ACKed: its wall time, and the CPU time each side
        /// spent, which on a busy machine says more than the wall time.
        func ping(untilAcked acked: Int) async throws -> (milliseconds: Double, central: Double, swarm: Double) {
            let (centralBefore, swarmBefore) = (try ProcessFigures(pid: getpid()), try ProcessFigures(pid: swarm.processIdentifier))
            let start = ContinuousClock.now
            try runtime.accept([Message(toNodes: names, method: .ping, ackTimeout: 30)])
            await finals.total(reaching: acked)
            let elapsed = ContinuousClock.now - start
            let (centralAfter, swarmAfter) = (try ProcessFigures(pid: getpid()), try ProcessFigures(pid: swarm.processIdentifier))
            return (elapsed.milliseconds, centralAfter.cpuMilliseconds - centralBefore.cpuMilliseconds,
                swarmAfter.cpuMilliseconds - swarmBefore.cpuMilliseconds)
        }
        let first = try await ping(untilAcked: up)
        let counts = try await countsOnceWritten(runtime, acked: up)
        let again = try await ping(untilAcked: 2 * up)
        return [
            "allUpAckedMs": first.milliseconds, "acked": Double(counts[.acked] ?? 0),
            "pending": Double((counts[.queued] ?? 0) + (counts[.sending] ?? 0)), "againAckedMs": again.milliseconds,
            "senderCPUMs": first.central, "swarmCPUMs": first.swarm,
            "againSenderCPUMs": again.central, "againSwarmCPUMs": again.swarm,
        ]
    }

    /// A node restarts with `count` accepted messages in its outbox: time from opening the node until the first
    /// message is on the wire, and until the last one is (a plain subscriber for the node, which never answers).
    static func restart(count: Int) async throws -> [String: Double] {
        // Nothing to resend: nothing to wait for (a window of 0 would never be seen whole).
        guard count > 0 else { return [:] }
        let harness = try Harness()
        try await harness.startServer()
        let directory = harness.directory + "/restart"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        do {
            let store = try Store(path: directory + "/state.db")
            let batch = 1000
            for start in stride(from: 0, to: count, by: batch) {
                let messages = try (start..<min(count, start + batch)).flatMap { _ in
                    try Message(toNode: "ghost", method: .ping, ackTimeout: 3600).accepted(from: "central", defaults: .standard)
                }
                _ = try store.accept(messages, now: .now)
            }
        }
        let listener = try await harness.connection()
        let subscription = try listener.subscribe("bosun.ghost.>")
        try await listener.flush()

        let start = ContinuousClock.now
        let runtime = try await harness.runtime(directory: "restart")
        let running = Task { try await runtime.run() }
        defer { running.cancel() }
        // The node is subscribed but never answers: its lane sends one window, oldest first, and waits for ACKs.
        let window = min(count, DeliveryDefaults.standard.window)
        var first: Duration?
        var seen = 0
        for await _ in subscription {
            seen += 1
            if first == nil { first = .now - start }
            if seen == window { break }
        }
        let all = ContinuousClock.now - start
        return ["firstResendMs": first?.milliseconds ?? 0, "windowResentMs": all.milliseconds, "window": Double(window)]
    }
}
