import Logging

/// `--mailbox jetstream`: the one seam between a node's engine and its JetStream mailbox. Accepted messages go
/// into the receivers' mailbox stream (``accepted(_:)``); this node's own mailbox is read and handed to its
/// receiver (``run(store:)``). The node's SQLite outbox stays in front of everything, so a node with no link
/// still accepts and keeps its messages.
public final class JetStreamMailbox: Sendable {
    private let connection: NATSConnection
    private let maxAge: Duration
    private let publisher: MailboxPublisher
    private let relay: MailboxRelay
    private let logger: Logger

    /// - Parameters:
    ///   - maxAge: how long the stream keeps a message: the senders' default ttl.
    ///   - window: mailbox messages handed to the receiver and not answered yet, at most.
    public init(
        connection: NATSConnection, node: String, dataDirectory: String, maxAge: Duration, window: Int, logger: Logger
    ) throws {
        self.connection = connection
        self.maxAge = maxAge
        self.logger = logger
        publisher = MailboxPublisher(logger: logger)
        relay = MailboxRelay(
            node: node, places: try MailboxPlaceStore(path: dataDirectory + "/mailbox.db"), logger: logger,
            window: window)
    }

    /// Records just accepted into the outbox: each goes to its receiver's mailbox, in this order.
    public func accepted(_ records: [OutboxRecord]) {
        publisher.enqueue(records)
    }

    /// Ensures the mailbox stream with three replicas, or one where the servers cannot keep three (a single
    /// server: JetStream error 10074; fewer than three peers, still so after the retries: 10005).
    static func ensureMailbox(_ js: JetStream, maxAge: Duration) async throws(JetStreamError) {
        let clustered: Bool
        do throws(JetStreamError) {
            try await js.ensureStream(.mailbox(replicas: 3, maxAge: maxAge))
            clustered = true
        } catch {
            guard error.apiCode == 10074 || error.apiCode == 10005 else { throw error }
            clustered = false
        }
        if !clustered { try await js.ensureStream(.mailbox(replicas: 1, maxAge: maxAge)) }
    }

    /// Ensures the mailbox stream (three replicas where the servers are a cluster, else one), then publishes and
    /// relays until cancelled.
    public func run(store: Store) async throws {
        let js = try JetStream(connection: connection)
        try await Self.ensureMailbox(js, maxAge: maxAge)
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { try await self.publisher.run(js, store: store) }
            group.addTask { try await self.relay.run(js) }
        }
    }
}
