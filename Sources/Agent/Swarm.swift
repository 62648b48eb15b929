import Logging
import Shared
import Synchronization

/// Many simulated nodes in one process (`bosun-agent --swarm N`): each has its own subscription and its own
/// dedup record (in memory), answers `ping`, `status` and `echo` (its `data` back), says hello to the central node
/// like an agent, and refuses anything else. With a metrics interval each also sends a made-up metrics sample
/// (EventACK, like an agent's) that often, spread over the interval. For measuring fan-out to a large fleet and
/// the central node's load under it on one machine; nothing it does touches the host.
struct Swarm {
    let count: Int
    let prefix: String
    let central: String
    let helloInterval: Double
    /// Seconds between each node's metrics samples; 0 sends none.
    var metricsInterval: Double = 0
    let nats: NATSConfiguration
    let logger: Logger

    static let echo = Method(rawValue: "echo")

    var names: [String] { (0..<count).map { "\(prefix)\($0)" } }

    func run() async throws {
        var configuration = nats
        configuration.sharedDelivery = true
        // Answers buffered and flushed by libnats's flusher, many per write: 10,000 nodes answering one fan-out
        // cost this process (and nats-server) one write each otherwise, where real nodes each spend their own.
        configuration.sendAsap = false
        let connection = try await NATSConnection.connect(configuration, retryFor: nil)
        let nodes = names.map { SimulatedNode(name: $0, connection: connection) }
        try await withThrowingDiscardingTaskGroup { group in
            for node in nodes {
                let subscription = try connection.subscribe(Subject.everything(for: node.name))
                group.addTask { for await inbound in subscription { node.answer(inbound) } }
            }
            try await connection.flush()
            logger.info("listening", metadata: ["nodes": "\(count)", "prefix": "\(prefix)"])
            group.addTask { try await helloLoop(connection, nodes: nodes) }
            if metricsInterval > 0 { group.addTask { try await metricsLoop(connection, nodes: nodes) } }
        }
    }

    /// A sample for every node each `metricsInterval`, spread over it; the central's ACKs are counted and the
    /// counts logged once per round, so a central that falls behind shows as a growing gap.
    private func metricsLoop(_ connection: NATSConnection, nodes: [SimulatedNode]) async throws {
        let inbox = "_INBOX.swarm-\(prefix)\(count)"
        let acks = try connection.subscribe(inbox + ".*")
        let count = count
        let logger = logger
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask {
                var acked = 0
                for await _ in acks {
                    acked += 1
                    if acked % count == 0 { logger.info("metrics acked", metadata: ["acked": "\(acked)"]) }
                }
            }
            let clock = ContinuousClock()
            let spacing = Duration.seconds(metricsInterval / Double(max(1, count)))
            var sent = 0
            var round = 0
            while !Task.isCancelled {
                let start = clock.now
                for (index, node) in nodes.enumerated() {
                    // Paced by deadline, a sleep per 100 nodes: a late wake-up is caught up, not added to the round.
                    if index % 100 == 0 { try await clock.sleep(until: start + spacing * index) }
                    let sample = Self.sample(node: index, round: round)
                    let drafts = try Message(
                        toNode: central, method: .metrics, data: String(decoding: sample.encoded(), as: UTF8.self)
                    ).accepted(from: node.name, defaults: .standard)
                    if let message = drafts.first, let subject = message.subject?.description {
                        let payload = message.encoded()
                        try? connection.publish(
                            subject, payload: payload, replyTo: "\(inbox).\(index)",
                            signature: node.key.signature(subject: subject, payload: payload))
                        sent += 1
                    }
                }
                try await clock.sleep(until: start + .seconds(metricsInterval))
                round += 1
                logger.info("metrics sent", metadata: ["sent": "\(sent)"])
            }
        }
    }

    /// A made-up sample like a Pi's: CPU and temperature that wander with the node and the round.
    static func sample(node: Int, round: Int) -> MetricsSample {
        var sample = MetricsSample(time: .now)
        sample.cpu = Double((node * 7 + round * 3) % 100)
        sample.load = [0.5, 0.4, 0.3]
        (sample.memTotal, sample.memAvailable, sample.swapTotal, sample.swapFree) = (4 << 30, 2 << 30, 1 << 30, 1 << 29)
        sample.disks = [.init(mount: "/", used: 10 << 30, available: 20 << 30)]
        sample.temp = 45 + Double((node + round) % 30)
        sample.net = [.init(name: "eth0", rx: Int64(round) << 20, tx: Int64(round) << 19)]
        (sample.rss, sample.queue) = (18 << 20, 0)
        return sample
    }

    /// Hellos for every node, spread over the interval so the central node gets a steady trickle.
    private func helloLoop(_ connection: NATSConnection, nodes: [SimulatedNode]) async throws {
        let pause = Duration.seconds(helloInterval / Double(max(1, count)))
        while !Task.isCancelled {
            for node in nodes {
                let hello = Hello(version: BosunVersion.current, hostname: node.name, helloInterval: helloInterval,
                    methods: ["echo", "hello", "ping", "status"], publicKey: node.key.publicKey)
                let drafts = try Message(toNode: central, method: .hello, data: String(decoding: hello.encoded(), as: UTF8.self))
                    .accepted(from: node.name, defaults: .standard)
                if let message = drafts.first, let subject = message.subject?.description {
                    let payload = message.encoded()
                    try? connection.publish(subject, payload: payload, signature: node.key.signature(subject: subject, payload: payload))
                }
                try await Task.sleep(for: pause)
            }
        }
    }
}

/// One simulated node: answers from memory, each message id once, signed with a key of its own (kept in memory).
final class SimulatedNode: Sendable {
    let name: String
    let key = NodeKey()
    private let connection: NATSConnection
    private let answered = Mutex<[String: Reply]>([:])

    init(name: String, connection: NATSConnection) {
        self.name = name
        self.connection = connection
    }

    func answer(_ inbound: NATSMessage) {
        guard let replyTo = inbound.replyTo, let message = try? Message.decode(inbound.payload), let id = message.id else {
            return
        }
        let reply = answered.withLock { answered -> Reply in
            if let known = answered[id] { return known }
            var reply = Reply(id: id, fromNode: name, status: .ok)
            switch message.method {
            case .ping: reply.stdout = "pong"
            case Swarm.echo: reply.stdout = message.data ?? ""
            case .status: reply.stdout = #"{"node":"\#(name)","simulated":true}"#
            default:
                reply.status = .rejected
                reply.error = "simulated node \(name) offers echo, ping and status, not `\(message.method)`"
            }
            reply.finishedAt = .now
            // Keep the dedup record bounded: a simulated node forgets the oldest answers past 10,000.
            if answered.count > 10_000 { answered.removeAll(keepingCapacity: true) }
            answered[id] = reply
            return reply
        }
        // With a MAC when the sender offers it, as a real node answers.
        let asker = inbound.signature.flatMap { $0.offersMACAnswer ? $0.key : nil }
        let authenticated = asker.map { key.authenticate(reply, for: $0) } ?? key.sign(reply)
        try? connection.publish(replyTo, payload: authenticated.encoded())
    }
}
