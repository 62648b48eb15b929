import Logging

/// `--mailbox jetstream`: the one seam between a node's engine and its JetStream mailbox. Accepted messages go
/// into the receivers' mailbox stream (``accepted(_:)``); this node's own mailbox is read and handed to its
/// receiver (``run(store:)``). The node's SQLite outbox stays in front of everything, so a node with no link
/// still accepts and keeps its messages.
public final class JetStreamMailbox: Sendable {
    private let connection: NATSConnection
    private let maxAge: Duration
    private let keepResults: Duration
    private let publisher: MailboxPublisher
    private let relay: MailboxRelay
    /// Set on a central: its node registry is shared through the `BOSUN_NODES` bucket.
    private let registry: NodeRegistrySync?
    private let logger: Logger

    /// - Parameters:
    ///   - maxAge: how long the stream keeps a message: the senders' default ttl.
    ///   - keepResults: how long the results stream keeps an answer (`--keep-results`).
    ///   - window: mailbox messages handed to the receiver and not answered yet, at most.
    ///   - sharesRegistry: this node is a central: its node registry goes to, and comes from, `BOSUN_NODES`.
    ///   - keys: this node's keys, to sign a message stored without a signature as it goes into the mailbox.
    public init(
        connection: NATSConnection, node: String, dataDirectory: String, maxAge: Duration,
        keepResults: Duration = .seconds(DeliveryDefaults.standard.keepResults), window: Int,
        sharesRegistry: Bool = false, keys: KeyRing? = nil, logger: Logger
    ) throws {
        self.connection = connection
        self.maxAge = maxAge
        self.keepResults = keepResults
        self.logger = logger
        publisher = MailboxPublisher(keys: keys, logger: logger)
        registry = sharesRegistry ? NodeRegistrySync(logger: logger) : nil
        relay = MailboxRelay(
            node: node, places: try MailboxPlaceStore(path: dataDirectory + "/mailbox.db"), logger: logger,
            window: window)
    }

    /// Records just accepted into the outbox: each goes to its receiver's mailbox, in this order.
    public func accepted(_ records: [OutboxRecord]) {
        publisher.enqueue(records)
    }

    /// Ensures the stream `configuration(replicas)` with three replicas, or one where the servers cannot keep three;
    /// returns the replicas it has.
    @discardableResult
    static func ensure(_ js: JetStream, _ configuration: (Int) -> JetStreamStreamConfiguration)
        async throws(JetStreamError) -> Int
    {
        try await withReplicas { (replicas) throws(JetStreamError) in
            try await js.ensureStream(configuration(replicas))
            return replicas
        }
    }

    /// Runs `body` with three replicas, or again with one where the servers cannot keep three (a single server:
    /// JetStream error 10074; fewer than three peers, still so after the retries: 10005).
    static func withReplicas<T>(_ body: (Int) async throws(JetStreamError) -> T) async throws(JetStreamError) -> T {
        do throws(JetStreamError) {
            return try await body(3)
        } catch where error.apiCode == 10074 || error.apiCode == 10005 {
            return try await body(1)
        }
    }

    /// Ensures the mailbox and results streams (three replicas where the servers are a cluster, else one), then
    /// publishes and relays (and on a central shares its node registry) until cancelled.
    public func run(store: Store) async throws {
        let js = try JetStream(connection: connection)
        let replicas = try await Self.ensure(js) { [maxAge] in .mailbox(replicas: $0, maxAge: maxAge) }
        try await js.ensureStream(.results(replicas: replicas, maxAge: keepResults))
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { try await self.publisher.run(js, store: store) }
            group.addTask { try await self.relay.run(js) }
            if let registry = self.registry { group.addTask { await registry.run(js, replicas: replicas, store: store) } }
        }
    }
}
