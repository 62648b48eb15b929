import Synchronization

/// The sender's outbox: every accepted message, from acceptance to its final state.
extension Store {
    private static let outboxColumns =
        "sequence, message, state, attempts, nextAttemptAt, lastError, reply, updatedAt, result"

    /// Stores `messages` as `queued`, in the order given, all or none (one commit for the batch).
    ///
    /// Each message needs an `id` and a `toNode`. An id already in the outbox, or repeated in the batch,
    /// is a `duplicateID` error naming it, and nothing of the batch is stored. Each is encoded once, and `sign`
    /// signs those bytes on their subject: bytes and signature are stored together and published as they are.
    /// The encoding and signing happen before the transaction, spread over the cores for a big batch (a fan-out).
    public func accept(
        _ messages: [Message], now: Timestamp,
        sign: @escaping @Sendable (_ subject: String, _ payload: [UInt8]) -> WireSignature? = { _, _ in nil }
    ) throws(StoreError) -> [OutboxRecord] {
        try acceptEncoded(messages, now: now, sign: sign).map(\.record)
    }

    /// A message as ``acceptEncoded(_:now:sign:)`` stored it: its record, what a lane sends of it (the bytes stored:
    /// its JSON, encoded once), and the highest sequence its node had in the outbox before it (0: none), read in the
    /// same transaction, so a lane that knows the outbox up to that sequence knows it has nothing else to read.
    struct Accepted: Sendable {
        var record: OutboxRecord
        var outgoing: OutgoingMessage
        var previous: Int64
    }

    /// ``accept(_:now:sign:)``, with what a lane needs of each message (``Accepted``). `signer`: the key whose
    /// messages these are, stored with each (column `signedBy`) even where `sign` makes no signature (a message to
    /// a node that takes MACs): the key to authenticate it with when it is sent, whatever key is current by then.
    func acceptEncoded(
        _ messages: [Message], now: Timestamp, signer: String? = nil,
        sign: @escaping @Sendable (_ subject: String, _ payload: [UInt8]) -> WireSignature? = { _, _ in nil }
    ) throws(StoreError) -> [Accepted] {
        for message in messages {
            guard let id = message.id else {
                throw StoreError(
                    .invalidMessage, path: path,
                    "accept: a \(message.method) message to \(message.toNode ?? "nowhere") has no id")
            }
            guard message.toNode != nil else {
                throw StoreError(.invalidMessage, path: path, "accept: message \(id) has no toNode")
            }
        }
        let rows = AcceptedRow.make(messages, sign: sign)
        // Committed here, with the final states lingering for company: a sequential sender's next message does not
        // wait behind the last one's final state (``GroupCommit/commitNow(_:)``).
        return try committedNow { [path] connection throws(StoreError) in
            var records: [Accepted] = []
            records.reserveCapacity(messages.count)
            // Each node's highest sequence: read once per node (one seek along its index), then the batch's own.
            var last: [String: Int64] = [:]
            for (message, row) in zip(messages, rows) {
                let node = message.toNode ?? ""
                let previous: Int64
                if let known = last[node] {
                    previous = known
                } else {
                    previous = try connection.query(
                        "SELECT COALESCE(MAX(sequence), 0) FROM outbox WHERE toNode = ?", [node]) { row in row.int64(0) }.first ?? 0
                }
                // The id's unique index finds a duplicate (stored before, or earlier in this batch): no lookup first.
                let inserted = try connection.run(
                    """
                    INSERT INTO outbox (id, toNode, method, message, state, attempts, createdAt, updatedAt, subject,
                        wantsAck, ackTimeout, retries, retryWait, expiresAt, sequential, signedBy, signature)
                    VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING
                    """,
                    [
                        message.id, message.toNode, message.method.rawValue, row.payload, OutboxState.queued.rawValue,
                        now.millisecondsSinceEpoch, now.millisecondsSinceEpoch, row.subject,
                        row.wantsACK, message.ackTimeout, message.retries ?? 0, message.retryWait,
                        message.expiresAt?.millisecondsSinceEpoch, message.sequential ?? false,
                        row.signature?.key ?? signer, row.signature?.value,
                    ])
                guard inserted > 0 else {
                    throw StoreError(.duplicateID, path: path, "accept: message \(message.id ?? "") is already in the outbox")
                }
                let sequence = connection.lastInsertRowID
                last[node] = sequence
                records.append(Accepted(
                    record: OutboxRecord(sequence: sequence, message: message, state: .queued, updatedAt: now),
                    outgoing: OutgoingMessage(sequence: sequence, message: message, row: row, signer: signer, acceptedAt: now),
                    previous: previous))
            }
            return records
        }
    }

    /// Changes a record's state and, of the other fields, only those given.
    ///
    /// For the optional fields, `nil` leaves the stored value and `.some(nil)` clears it.
    public func updateOutbox(
        id: String, state: OutboxState, attempts: Int? = nil, nextAttemptAt: Timestamp?? = nil,
        lastError: String?? = nil, reply: Reply?? = nil, now: Timestamp
    ) throws(StoreError) {
        try database.withConnection { connection throws(StoreError) in
            guard try update(connection, id: id, state: state, attempts: attempts, nextAttemptAt: nextAttemptAt,
                lastError: lastError, reply: reply, now: now)
            else { throw StoreError(.notFound, path: path, "update outbox: no message \(id) in the outbox") }
        }
    }

    /// A lane's progress with a message (back to `queued` to wait for a retry, `inProgress`), in the next group
    /// commit, without blocking, for a message still unfinished only: one finished meanwhile (cancelled by the
    /// operator while the lane's bookkeeping was on its way) stays finished, never to be sent again. `done` runs once
    /// it is durable (or failed), in submission order, saying whether the message was still unfinished.
    func updateUnfinishedSoon(
        id: String, state: OutboxState, attempts: Int?, nextAttemptAt: Timestamp??, lastError: String??,
        now: Timestamp, done: @escaping @Sendable (Result<Bool, StoreError>) -> Void
    ) {
        let updated = Mutex(false)
        grouped({ [self] connection throws(StoreError) in
            let changed = try update(connection, id: id, state: state, attempts: attempts, nextAttemptAt: nextAttemptAt,
                lastError: lastError, reply: nil, now: now, onlyUnfinished: true)
            updated.withLock { $0 = changed }
        }, done: { error in
            done(error.map { .failure($0) } ?? .success(updated.withLock { $0 }))
        })
    }

    /// A final state for one message, for ``finishOutboxSoon(_:now:done:)``.
    struct OutboxFinal: Sendable {
        var id: String
        var state: OutboxState
        var attempts: Int
        var lastError: String?
        var reply: Reply?
    }

    /// The ids a batch of final states found no message for (written by its commit, read by its completion).
    private final class Absent: Sendable {
        let ids = Mutex<[String]>([])
    }

    /// Records the final states `finals` (their retry time cleared) in the next group commit, one write for all and
    /// one statement, prepared once, for each; without blocking. `done` runs once they are durable, with an error
    /// naming any message that was not in the outbox (the others are recorded all the same).
    func finishOutboxSoon(_ finals: [OutboxFinal], now: Timestamp, done: @escaping @Sendable (StoreError?) -> Void) {
        let absent = Absent()
        // Nobody waits for it: the lane showed these states already, and a lost one means a message sent again and
        // deduplicated. It may wait a moment for the next write, or accept, to join.
        grouped({ connection throws(StoreError) in
            var missing: [String] = []
            for final in finals {
                let changed = try connection.run(
                    "UPDATE outbox SET state = ?, updatedAt = ?, attempts = ?, nextAttemptAt = NULL, lastError = ?, reply = ? WHERE id = ?",
                    [final.state.rawValue, now.millisecondsSinceEpoch, final.attempts, final.lastError,
                        final.reply?.encoded(), final.id])
                if changed == 0 { missing.append(final.id) }
            }
            absent.ids.withLock { $0 = missing }
        }, canWait: true, done: { [path] error in
            let missing = absent.ids.withLock { $0 }
            done(error ?? (missing.isEmpty ? nil
                : StoreError(.notFound, path: path, "update outbox: no message \(missing.joined(separator: ", ")) in the outbox")))
        })
    }

    /// Whether message `id` was there to update; `onlyUnfinished`: a message in a final state is left as it is.
    private func update(
        _ connection: Connection, id: String, state: OutboxState, attempts: Int?, nextAttemptAt: Timestamp??,
        lastError: String??, reply: Reply??, now: Timestamp, onlyUnfinished: Bool = false
    ) throws(StoreError) -> Bool {
        var assignments = ["state = ?", "updatedAt = ?"]
        var values: [(any SQLBindable)?] = [state.rawValue, now.millisecondsSinceEpoch]
        if let attempts {
            assignments.append("attempts = ?")
            values.append(attempts)
        }
        if let nextAttemptAt {
            assignments.append("nextAttemptAt = ?")
            values.append(nextAttemptAt?.millisecondsSinceEpoch)
        }
        if let lastError {
            assignments.append("lastError = ?")
            values.append(lastError)
        }
        if let reply {
            assignments.append("reply = ?")
            values.append(reply?.encoded())
        }
        values.append(id)
        let sql = "UPDATE outbox SET \(assignments.joined(separator: ", ")) WHERE id = ?"
            + (onlyUnfinished ? " AND \(Store.unfinishedSQL)" : "")
        return try connection.run(sql, values) > 0
    }

    /// The record of message `id`, if it is in the outbox.
    public func outboxRecord(id: String) throws(StoreError) -> OutboxRecord? {
        try selectOutbox("WHERE id = ?", [id]).first
    }

    /// The records still to deliver (queued, sending, in progress), oldest first: the order they go out in.
    public func unfinishedOutbox() throws(StoreError) -> [OutboxRecord] {
        try selectOutbox("WHERE \(Store.unfinishedSQL) ORDER BY sequence ASC", [])
    }

    /// The highest sequence accepted so far (0 when the outbox is empty).
    public func lastOutboxSequence() throws(StoreError) -> Int64 {
        try database.read { connection throws(StoreError) in
            try connection.query("SELECT COALESCE(MAX(sequence), 0) FROM outbox") { row in row.int64(0) }.first ?? 0
        }
    }

    /// Records newest first, optionally only those to `node` and in `states`, at most `limit` of them.
    public func outboxRecords(
        node: String? = nil, method: Method? = nil, states: Set<OutboxState>? = nil, limit: Int = 500
    ) throws(StoreError) -> [OutboxRecord] {
        var conditions: [String] = []
        var values: [(any SQLBindable)?] = []
        if let method {
            conditions.append("method = ?")
            values.append(method.rawValue)
        }
        if let node {
            conditions.append("toNode = ?")
            values.append(node)
        }
        if let states {
            guard !states.isEmpty else { return [] }
            // A fixed order keeps the SQL text, and so the cached statement, the same for the same set.
            let ordered = OutboxState.allCases.filter(states.contains)
            conditions.append("state IN (\(ordered.map { _ in "?" }.joined(separator: ", ")))")
            values.append(contentsOf: ordered.map { $0.rawValue })
        }
        values.append(limit)
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ") + " "
        return try selectOutbox(filter + "ORDER BY sequence DESC LIMIT ?", values)
    }

    /// How many records are in each state; every state is present, zero when it has none.
    public func outboxCounts() throws(StoreError) -> [OutboxState: Int] {
        let rows = try database.read { connection throws(StoreError) in
            try connection.query("SELECT state, COUNT(*) FROM outbox GROUP BY state") { row in
                (row.text(0), row.int(1))
            }
        }
        var counts = Dictionary(uniqueKeysWithValues: OutboxState.allCases.map { ($0, 0) })
        for (name, count) in rows {
            guard let state = OutboxState(rawValue: name) else {
                throw corrupt("outbox counts", "unknown state \"\(name)\"")
            }
            counts[state] = count
        }
        return counts
    }

    /// Deletes the records in a final state that last changed before `finishedBefore`; returns how many.
    public func pruneOutbox(finishedBefore: Timestamp) throws(StoreError) -> Int {
        let final = OutboxState.allCases.filter(\.isFinal)
        let sql =
            "DELETE FROM outbox WHERE state IN (\(final.map { _ in "?" }.joined(separator: ", "))) AND updatedAt < ?"
        let values: [(any SQLBindable)?] = final.map { $0.rawValue } + [finishedBefore.millisecondsSinceEpoch]
        return try database.withConnection { connection throws(StoreError) in try connection.run(sql, values) }
    }

    private func selectOutbox(_ clause: String, _ values: [(any SQLBindable)?]) throws(StoreError) -> [OutboxRecord] {
        let sql = "SELECT \(Store.outboxColumns) FROM outbox " + clause
        return try database.read { connection throws(StoreError) in
            try connection.query(sql, values) { row throws(StoreError) in try outboxRecord(from: row) }
        }
    }

    private func outboxRecord(from row: Row) throws(StoreError) -> OutboxRecord {
        let sequence = row.int64(0)
        let message: Message
        do {
            message = try Message.decode(row.blob(1))
        } catch {
            throw corrupt("outbox record \(sequence)", "stored message cannot be read: \(error)")
        }
        // `OutboxRecord.id` relies on it; `accept` never stores a message without one.
        guard message.id != nil else {
            throw corrupt("outbox record \(sequence)", "stored message has no id")
        }
        guard let state = OutboxState(rawValue: row.text(2)) else {
            throw corrupt("outbox record \(sequence)", "unknown state \"\(row.text(2))\"")
        }
        func reply(at column: Int32, _ what: String) throws(StoreError) -> Reply? {
            guard let bytes = row.optionalBlob(column) else { return nil }
            do {
                return try Reply.decode(bytes)
            } catch {
                throw corrupt("outbox record \(sequence)", "stored \(what) cannot be read: \(error)")
            }
        }
        var record = OutboxRecord(
            sequence: sequence, message: message, state: state, attempts: row.int(3),
            nextAttemptAt: row.optionalInt64(4).map(Timestamp.init(millisecondsSinceEpoch:)),
            lastError: row.optionalText(5), reply: try reply(at: 6, "reply"),
            updatedAt: Timestamp(millisecondsSinceEpoch: row.int64(7)))
        record.result = try reply(at: 8, "result")
        return record
    }

    /// Stores a result that came after the ACK for message `id`; returns the record, or nil if it is not here.
    public func setOutboxResult(id: String, result: Reply, now: Timestamp) throws(StoreError) -> OutboxRecord? {
        let changed = try database.withConnection { connection throws(StoreError) in
            try connection.run(
                "UPDATE outbox SET result = ?, updatedAt = ? WHERE id = ?", [result.encoded(), now.millisecondsSinceEpoch, id])
        }
        return changed > 0 ? try outboxRecord(id: id) : nil
    }
}
