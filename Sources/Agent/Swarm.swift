import Logging
import Shared
import Synchronization

/// Many simulated nodes in one process (`bosun-agent --swarm N`): each has its own subscription and its own
/// dedup record (in memory), answers `ping`, `status` and `echo` (its `data` back), says hello to the central node
/// like an agent, and refuses anything else. For measuring fan-out to a large fleet on one machine; nothing
/// it does touches the host.
struct Swarm {
    let count: Int
    let prefix: String
    let central: String
    let helloInterval: Double
    let nats: NATSConfiguration
    let logger: Logger

    static let echo = Method(rawValue: "echo")

    var names: [String] { (0..<count).map { "\(prefix)\($0)" } }

    func run() async throws {
        var configuration = nats
        configuration.sharedDelivery = true
        configuration.sendAsap = true
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
        }
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
            reply = key.sign(reply)
            // Keep the dedup record bounded: a simulated node forgets the oldest answers past 10,000.
            if answered.count > 10_000 { answered.removeAll(keepingCapacity: true) }
            answered[id] = reply
            return reply
        }
        try? connection.publish(replyTo, payload: reply.encoded())
    }
}
