import Synchronization

/// What the delivery lanes read and write: the next window of a destination's unfinished messages, and the
/// settling of a whole blocked destination in one write.
extension Store {
    /// The states of a message the sender still carries; the partial indexes of the outbox use the same terms
    /// (a query uses one only if its WHERE repeats them). Written as comparisons, not `state IN (…)`: SQLite codes
    /// a list of three as a temporary b-tree, built again each time a statement runs, and an insert or update
    /// evaluates the three partial indexes' conditions twice each (measured: an update 445 → 45 µs).
    /// (The text is the partial indexes' own: `(state = 'queued' OR state = 'sending' OR state = 'inProgress')`.)
    static let unfinishedSQL = "(" + OutboxState.unfinished.map { "state = '\($0.rawValue)'" }.joined(separator: " OR ") + ")"

    private static let outgoingColumns =
        "sequence, id, method, subject, message, wantsAck, ackTimeout, retries, retryWait, expiresAt, sequential, attempts, "
        + "signedBy, signature, createdAt"

    /// The unfinished messages to `node` after `sequence`, oldest first, at most `limit`.
    func outgoing(to node: String, after sequence: Int64, limit: Int) throws(StoreError) -> [OutgoingMessage] {
        windowReads.add(1, ordering: .relaxed)
        return try database.read { connection throws(StoreError) in
            try connection.query(
                "SELECT \(Store.outgoingColumns) FROM outbox WHERE toNode = ? AND \(Store.unfinishedSQL) AND sequence > ? "
                    + "ORDER BY sequence LIMIT ?",
                [node, sequence, limit], Store.outgoingMessage)
        }
    }

    /// Message `sequence`, if it is still unfinished (for a retry, which reads its bytes again).
    func outgoing(sequence: Int64) throws(StoreError) -> OutgoingMessage? {
        try database.read { connection throws(StoreError) in
            try connection.query(
                "SELECT \(Store.outgoingColumns) FROM outbox WHERE sequence = ? AND \(Store.unfinishedSQL)", [sequence],
                Store.outgoingMessage
            ).first
        }
    }

    private static func outgoingMessage(_ row: Row) -> OutgoingMessage {
        OutgoingMessage(
            sequence: row.int64(0), id: row.text(1), method: Method(rawValue: row.text(2)), subject: row.text(3),
            payload: row.blob(4), wantsACK: row.int(5) != 0, ackTimeout: row.optionalDouble(6) ?? DeliveryDefaults.standard.ackTimeout,
            retries: row.int(7), retryWait: row.optionalDouble(8) ?? DeliveryDefaults.standard.retryWait,
            expiresAt: row.optionalInt64(9).map(Timestamp.init(millisecondsSinceEpoch:)), sequential: row.int(10) != 0,
            attempts: row.int(11), acceptedAt: Timestamp(millisecondsSinceEpoch: row.int64(14)),
            signature: row.optionalText(12).flatMap { key in row.optionalText(13).map { WireSignature(key: key, value: $0) } },
            signer: row.optionalText(12))
    }

    /// Drops the stored signatures of the unfinished messages: after this node's key rotation its lanes sign
    /// them again, with the new key, when they send them.
    public func forgetUnfinishedSignatures() throws(StoreError) {
        try database.withConnection { connection throws(StoreError) in
            _ = try connection.run("UPDATE outbox SET signedBy = NULL, signature = NULL WHERE \(Store.unfinishedSQL)")
        }
    }

    /// The statement that finds the next destination with unfinished messages after a name.
    static let nextDestinationSQL =
        "SELECT toNode FROM outbox INDEXED BY outbox_unfinished WHERE \(unfinishedSQL) AND toNode > ? ORDER BY toNode LIMIT 1"

    /// The destinations that have unfinished messages: the lanes to start with. One seek along the unfinished
    /// messages' index per destination, so a restart with a backlog of 100,000 for 10 nodes makes 11 lookups
    /// rather than reading 100,000 rows before its first resend.
    func unfinishedDestinations() throws(StoreError) -> [String] {
        try database.read { connection throws(StoreError) in
            var nodes: [String] = []
            while let next = try connection.query(Store.nextDestinationSQL, [nodes.last ?? ""], { row in row.text(0) }).first {
                nodes.append(next)
            }
            return nodes
        }
    }

    /// How many messages wait to be delivered, and when the oldest of them was accepted. Counted state by state in
    /// the (state, sequence) index, the oldest found by a seek there: no waiting row is read, however many wait (a
    /// node's metrics sample asks every 10 s).
    public func waiting() throws(StoreError) -> (count: Int, oldestAcceptedAt: Timestamp?) {
        try database.read { connection throws(StoreError) in
            var count = 0
            var oldest: Int64?
            for state in OutboxState.unfinished.map(\.rawValue) {
                let (some, first) = try connection.query(
                    "SELECT COUNT(*), MIN(sequence) FROM outbox WHERE state = ?", [state]
                ) { row in (row.int(0), row.optionalInt64(1)) }.first ?? (0, nil)
                count += some
                if let first { oldest = min(oldest ?? first, first) }
            }
            guard let oldest else { return (count, nil) }
            let acceptedAt = try connection.query("SELECT createdAt FROM outbox WHERE sequence = ?", [oldest]) { row in
                Timestamp(millisecondsSinceEpoch: row.int64(0))
            }.first
            return (count, acceptedAt)
        }
    }

    /// The highest sequence of an unfinished message to `node` (0 when none).
    func lastUnfinishedSequence(to node: String) throws(StoreError) -> Int64 {
        try database.read { connection throws(StoreError) in
            try connection.query(
                "SELECT COALESCE(MAX(sequence), 0) FROM outbox WHERE toNode = ? AND \(Store.unfinishedSQL)", [node]
            ) { row in row.int64(0) }.first ?? 0
        }
    }

    /// A finished message, as settling a blocked destination finished it.
    struct Settled: Sendable, Equatable {
        var id: String
        var method: String
        var state: OutboxState
        var reason: String
    }

    /// A probe of `node` found it not connected: in one write, every waiting message accepted after
    /// `markedThrough` is marked as waiting for its node (`reason`), those with a retry bound count the attempt,
    /// and those past their ttl or bound are finished. Returns the finished ones and the highest sequence marked.
    /// Messages without a bound are not touched again by later probes: the cost of a probe does not grow with the
    /// backlog.
    func settleBlocked(
        node: String, markedThrough: Int64, reason: String, now: Timestamp,
        done: @escaping @Sendable (Result<(settled: [Settled], markedThrough: Int64), StoreError>) -> Void
    ) {
        let outcome = Mutex<(settled: [Settled], markedThrough: Int64)>(([], markedThrough))
        let time = now.millisecondsSinceEpoch
        grouped({ connection throws(StoreError) in
            let marked = try connection.query(
                "UPDATE outbox SET state = 'queued', lastError = ?, nextAttemptAt = NULL, updatedAt = ?, "
                    + "attempts = MAX(attempts, 1) "
                    + "WHERE toNode = ? AND \(Store.unfinishedSQL) AND sequence > ? RETURNING sequence",
                [reason, time, node, markedThrough]
            ) { row in row.int64(0) }.max() ?? markedThrough
            try connection.run(
                "UPDATE outbox SET attempts = attempts + 1, updatedAt = ? WHERE toNode = ? AND \(Store.unfinishedSQL) "
                    + "AND retries > 0",
                [time, node])
            var settled = try connection.query(
                "UPDATE outbox SET state = 'expired', nextAttemptAt = NULL, updatedAt = ?, "
                    + "lastError = 'ttl passed while node ' || toNode || ' was not connected' "
                    + "WHERE toNode = ? AND \(Store.unfinishedSQL) AND expiresAt <= ? RETURNING id, method, lastError",
                [time, node, time]
            ) { row in Settled(id: row.text(0), method: row.text(1), state: .expired, reason: row.text(2)) }
            settled += try connection.query(
                "UPDATE outbox SET state = 'failed', nextAttemptAt = NULL, updatedAt = ?, "
                    + "lastError = 'no ACK after ' || attempts || ' attempts (retries: ' || retries || '); node ' "
                    + "|| toNode || ' was not connected' "
                    + "WHERE toNode = ? AND \(Store.unfinishedSQL) AND retries > 0 AND attempts > retries "
                    + "RETURNING id, method, lastError",
                [time, node]
            ) { row in Settled(id: row.text(0), method: row.text(1), state: .failed, reason: row.text(2)) }
            outcome.withLock { $0 = (settled, marked) }
        }, done: { error in
            if let error { return done(.failure(error)) }
            done(.success(outcome.withLock { $0 }))
        })
    }

    /// Cancels message `id` if it is not final yet; returns whether it was.
    func cancelUnfinished(id: String, now: Timestamp) throws(StoreError) -> Bool {
        try database.withConnection { connection throws(StoreError) in
            try connection.run(
                "UPDATE outbox SET state = 'cancelled', lastError = 'cancelled by the operator', nextAttemptAt = NULL, "
                    + "updatedAt = ? WHERE id = ? AND \(Store.unfinishedSQL)",
                [now.millisecondsSinceEpoch, id]) > 0
        }
    }
}
