import Foundation
import Shared

/// How simulated nodes read their JetStream mailboxes in a benchmark run.
enum MailboxDesign: String, CaseIterable, Sendable {
    /// Each node reads its subjects through an ordered consumer from the place it keeps (the chosen design).
    case ordered
    /// Each node has a durable pull consumer that keeps its place on the servers (the alternative).
    case durable
}

/// One run: `nodes` simulated nodes on fresh JetStream servers, each attaching its mailbox reader, getting one
/// message and handling it, then idling while connected, then leaving. The servers' memory and CPU at each step.
enum MailboxScenario {
    static func run(design: MailboxDesign, nodes: Int, servers: Int, idle: Duration) async throws -> [String: Double] {
        let harness = try Harness()
        let (urls, processes) = try await harness.startJetStream(count: servers)
        var figures: [String: Double] = [:]
        let base = try usage(of: processes)
        figures["baseRssMB"] = base.rssMB

        // A connection per 500 nodes, their subscriptions on libnats's shared delivery threads (as the swarm does).
        var configuration = NATSConfiguration(servers: urls)
        configuration.sharedDelivery = true
        var connected: [JetStream] = []
        for _ in 0..<max(1, nodes / 500) {
            connected.append(try JetStream(connection: try await NATSConnection.connect(configuration), apiTimeout: .seconds(30)))
        }
        let streams = connected
        try await streams[0].ensureStream(.mailbox(replicas: servers, maxAge: .seconds(3600)))
        let names = (0..<nodes).map { "sim-\($0)" }

        var clock = ContinuousClock.now
        var readers = try await attach(design, names: names, streams: streams)
        figures["attachSeconds"] = (ContinuousClock.now - clock).seconds
        let attached = try usage(of: processes)
        figures["attachedRssMB"] = attached.rssMB
        figures["attachCpuSeconds"] = attached.cpuSeconds - base.cpuSeconds

        clock = .now
        try await forEach(Array(names.enumerated()), width: 64) { index, name in
            try await streams[index % streams.count].publish(
                MailboxSubjects.mailbox(node: name, id: "m-\(name)"), payload: Array(repeating: 120, count: 200),
                messageID: "m-\(name)")
        }
        figures["publishSeconds"] = (ContinuousClock.now - clock).seconds
        clock = .now
        try await deliver(readers, streams: streams)
        figures["deliverSeconds"] = (ContinuousClock.now - clock).seconds

        let before = try usage(of: processes)
        try await Task.sleep(for: idle)
        let after = try usage(of: processes)
        figures["idleRssMB"] = after.rssMB
        figures["idleCpuPercent"] = (after.cpuSeconds - before.cpuSeconds) / idle.seconds * 100

        let probe = streams[0]
        figures["consumersConnected"] = Double(try await probe.streamState(MailboxSubjects.mailboxStream).consumers)

        // The nodes leave (their readers stop, their connections close): what the servers still keep for them.
        readers = []
        for stream in streams.dropFirst() { await stream.connection.close() }
        try await Task.sleep(for: .seconds(10))
        figures["consumersLeft"] = Double(try await probe.streamState(MailboxSubjects.mailboxStream).consumers)
        figures["leftRssMB"] = try usage(of: processes).rssMB
        await probe.connection.close()
        // The harness stops the servers and removes their directory when released: not before this point.
        withExtendedLifetime(harness) {}
        return figures
    }

    /// The readers, one per node, attached 16 at a time (each is a request the servers answer).
    private static func attach(_ design: MailboxDesign, names: [String], streams: [JetStream]) async throws
        -> [MailboxBenchReader]
    {
        let readers = LockedArray<MailboxBenchReader>()
        try await forEach(Array(names.enumerated()), width: 16) { index, name in
            let js = streams[index % streams.count]
            switch design {
            case .ordered:
                readers.append(.ordered(try await js.orderedReader(
                    stream: MailboxSubjects.mailboxStream, subject: MailboxSubjects.mailbox(node: name), after: 0)))
            case .durable:
                readers.append(.durable(try await js.durableReader(stream: MailboxSubjects.mailboxStream, node: name), js))
            }
        }
        return readers.values
    }

    /// Every reader takes its one message and handles it (the durable design acknowledges it), 64 at a time: a
    /// fetch blocks a thread while it waits, and one process cannot hold a thread for each of thousands of nodes.
    private static func deliver(_ readers: [MailboxBenchReader], streams: [JetStream]) async throws {
        try await forEach(readers, width: 64) { reader in
            switch reader {
            case .ordered(let ordered):
                var iterator = ordered.makeAsyncIterator()
                guard await iterator.next() != nil else { throw BenchError("an ordered reader ended") }
            case .durable(let durable, let js):
                var messages: [JetStreamMessage] = []
                while messages.isEmpty { messages = try await durable.fetch(batch: 1, wait: .seconds(5)) }
                try await js.acknowledge(messages[0])
            }
        }
    }
}

enum MailboxBenchReader: Sendable {
    case ordered(JetStreamOrderedReader)
    case durable(JetStreamDurableReader, JetStream)
}

/// Runs `body` on every item, at most `width` at once.
func forEach<T: Sendable>(_ items: [T], width: Int, _ body: @escaping @Sendable (T) async throws -> Void) async throws {
    try await withThrowingTaskGroup(of: Void.self) { group in
        for (index, item) in items.enumerated() {
            if index >= width { try await group.next() }
            group.addTask { try await body(item) }
        }
        try await group.waitForAll()
    }
}

/// An array appended to from concurrent tasks.
final class LockedArray<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [T] = []
    func append(_ item: T) { lock.withLock { items.append(item) } }
    var values: [T] { lock.withLock { items } }
}
