import Synchronization

/// The receiver's record of the ACK-type messages it has run, so that a retried message is never run twice.
extension Store {
    /// A received message's state; the strings are stored.
    private enum ReceivedState: String {
        case running, finished, interrupted
    }

    /// Records that message `id` has arrived and says what to do with it, in one step.
    ///
    /// Absent: recorded as running, `.new`. Running: `.running`, and `replyTo` becomes the subject to answer on
    /// (a `nil` keeps the one known). Finished: `.finished` with the stored reply. Interrupted: `.interrupted`.
    /// `expiresAt`: when the message's ttl ends (its record is kept until then at least).
    public func beginReceive(
        id: String, fromNode: String, method: String, replyTo: String?, expiresAt: Timestamp? = nil, now: Timestamp
    ) throws(StoreError) -> ReceiveBegin {
        try database.transaction { connection throws(StoreError) in
            try begin(connection, id: id, fromNode: fromNode, method: method, replyTo: replyTo, expiresAt: expiresAt, now: now)
        }
    }

    /// ``beginReceive(id:fromNode:method:replyTo:now:)`` as a write to commit: `then` gets the answer once the record
    /// is durable. Writes committed in some order get their answers in that order.
    /// `whileRunning` is called in the write itself when the message is running (before the commit, so before any
    /// later write, its run's finish say, can commit).
    func beginReceiveWrite(
        id: String, fromNode: String, method: String, replyTo: String?, expiresAt: Timestamp?, now: Timestamp,
        whileRunning: @escaping @Sendable () -> Void = {},
        then: @escaping @Sendable (Result<ReceiveBegin, StoreError>) -> Void
    ) -> GroupCommit.Write {
        let answer = Mutex<ReceiveBegin?>(nil)
        return GroupCommit.Write(body: { [self] connection throws(StoreError) in
            let begun = try begin(
                connection, id: id, fromNode: fromNode, method: method, replyTo: replyTo, expiresAt: expiresAt, now: now)
            if begun == .running { whileRunning() }
            answer.withLock { $0 = begun }
        }, done: { error in
            if let error { return then(.failure(error)) }
            if let begun = answer.withLock({ $0 }) { then(.success(begun)) }
        })
    }

    private func begin(
        _ connection: Connection, id: String, fromNode: String, method: String, replyTo: String?, expiresAt: Timestamp?,
        now: Timestamp
    ) throws(StoreError) -> ReceiveBegin {
        // The common case, a message not seen before, in one statement; a retry finds the record already there.
        let inserted = try connection.run(
            """
            INSERT OR IGNORE INTO received (id, fromNode, method, state, replyTo, receivedAt, expiresAt)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """,
            [id, fromNode, method, ReceivedState.running.rawValue, replyTo, now.millisecondsSinceEpoch,
                expiresAt?.millisecondsSinceEpoch])
        if inserted > 0 { return .new }
        let existing = try connection.query("SELECT state, reply FROM received WHERE id = ?", [id]) { row in
            (row.text(0), row.optionalBlob(1))
        }.first
        guard let (name, replyBytes) = existing else {
            throw StoreError(.failed, path: path, "receive \(id): neither recorded nor found")
        }
        switch ReceivedState(rawValue: name) {
        case .running:
            try connection.run("UPDATE received SET replyTo = COALESCE(?, replyTo) WHERE id = ?", [replyTo, id])
            return .running
        case .finished:
            return .finished(try storedReply(replyBytes, id: id))
        case .interrupted:
            return .interrupted
        case nil:
            throw corrupt("received message \(id)", "unknown state \"\(name)\"")
        }
    }

    /// Records that message `id` has finished with `reply`, the answer to give a retry from now on.
    public func finishReceive(id: String, reply: Reply, now: Timestamp) throws(StoreError) {
        try database.withConnection { connection throws(StoreError) in
            try finish(connection, id: id, reply: reply, now: now)
        }
    }

    /// ``finishReceive(id:reply:now:)`` in the next group commit; `done` runs once it is durable (or failed).
    public func finishReceive(
        id: String, reply: Reply, now: Timestamp, done: @escaping @Sendable (StoreError?) -> Void
    ) {
        groupCommit.submit(finishReceiveWrite(id: id, reply: reply, now: now, done: done))
    }

    /// ``finishReceive(id:reply:now:done:)`` as a write to commit (``commitHere(_:)``).
    func finishReceiveWrite(
        id: String, reply: Reply, now: Timestamp, done: @escaping @Sendable (StoreError?) -> Void
    ) -> GroupCommit.Write {
        GroupCommit.Write(
            body: { [self] connection throws(StoreError) in try finish(connection, id: id, reply: reply, now: now) },
            done: done)
    }

    private func finish(_ connection: Connection, id: String, reply: Reply, now: Timestamp) throws(StoreError) {
        let changed = try connection.run(
            "UPDATE received SET state = ?, reply = ?, finishedAt = ? WHERE id = ?",
            [ReceivedState.finished.rawValue, reply.encoded(), now.millisecondsSinceEpoch, id])
        guard changed > 0 else {
            throw StoreError(.notFound, path: path, "finish receive: no received message \(id)")
        }
    }

    /// The write that records that message `id` of a method that may run again (``Method/rerunnable``) ran and
    /// answered `reply`, in one step with its arrival: such a message runs before it is recorded, so
    /// that it costs one commit instead of two. `then` gets the answer to give once it is durable: `reply`, or
    /// the answer stored by an earlier run of the same message (a retry that ran it again), so every copy of the
    /// message gets the same answer.
    func recordRunWrite(
        id: String, fromNode: String, method: String, replyTo: String?, reply: Reply, expiresAt: Timestamp? = nil,
        now: Timestamp, then: @escaping @Sendable (Result<Reply, StoreError>) -> Void
    ) -> GroupCommit.Write {
        let answer = Mutex<Reply>(reply)
        return GroupCommit.Write(body: { [self] connection throws(StoreError) in
            let inserted = try connection.run(
                """
                INSERT OR IGNORE INTO received (id, fromNode, method, state, replyTo, reply, receivedAt, finishedAt, expiresAt)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [id, fromNode, method, ReceivedState.finished.rawValue, replyTo, reply.encoded(),
                    now.millisecondsSinceEpoch, now.millisecondsSinceEpoch, expiresAt?.millisecondsSinceEpoch])
            if inserted > 0 { return }
            switch try begin(
                connection, id: id, fromNode: fromNode, method: method, replyTo: replyTo, expiresAt: expiresAt, now: now) {
            case .finished(let stored):
                answer.withLock { $0 = stored }
            case .new, .running, .interrupted:
                // Recorded by a run that did not finish (before an upgrade, or cut off): this run finishes it.
                try finish(connection, id: id, reply: reply, now: now)
            }
        }, done: { error in
            if let error { return then(.failure(error)) }
            then(.success(answer.withLock { $0 }))
        })
    }

    /// The answer stored for message `id`, if it ran to its end here (read without waiting for a commit under way).
    public func finishedReply(id: String) throws(StoreError) -> Reply? {
        let stored = try database.read { connection throws(StoreError) in
            try connection.query("SELECT reply FROM received WHERE id = ? AND state = ?", [id, ReceivedState.finished.rawValue]) { row in
                row.optionalBlob(0)
            }.first
        }
        guard let stored else { return nil }
        return try storedReply(stored, id: id)
    }

    /// The answer stored with finished message `id` (`bytes` as read from its record).
    private func storedReply(_ bytes: [UInt8]?, id: String) throws(StoreError) -> Reply {
        guard let bytes else { throw corrupt("received message \(id)", "finished without a reply") }
        do {
            return try Reply.decode(bytes)
        } catch {
            throw corrupt("received message \(id)", "stored reply cannot be read: \(error)")
        }
    }

    /// The subject the latest copy of message `id` asked to be answered on.
    public func receivedReplyTo(id: String) throws(StoreError) -> String? {
        try database.withConnection { connection throws(StoreError) in
            try connection.query("SELECT replyTo FROM received WHERE id = ?", [id]) { row in
                row.optionalText(0)
            }.first ?? nil
        }
    }

    /// At startup: marks every message still recorded as running as interrupted, since whatever ran it is gone.
    /// Returns their ids, oldest first, so that the senders can be told.
    public func markRunningInterrupted(now: Timestamp, rerunnable: Set<String> = []) throws(StoreError) -> [String] {
        try database.transaction { connection throws(StoreError) in
            // Methods that are safe to run again forget the cut-off run instead: the sender's retry runs them anew.
            for method in rerunnable {
                try connection.run("DELETE FROM received WHERE state = ? AND method = ?", [ReceivedState.running.rawValue, method])
            }
            let ids = try connection.query(
                "SELECT id FROM received WHERE state = ? ORDER BY receivedAt, id", [ReceivedState.running.rawValue]
            ) { row in row.text(0) }
            try connection.run(
                "UPDATE received SET state = ?, finishedAt = ? WHERE state = ?",
                [ReceivedState.interrupted.rawValue, now.millisecondsSinceEpoch, ReceivedState.running.rawValue])
            return ids
        }
    }

    /// Deletes the records of messages that finished (or were interrupted) before `finishedBefore` and whose ttl
    /// has ended by `now` (their senders may retry them until then: a record pruned before would let a retry run
    /// the message again); returns how many. Running messages are kept whatever their age.
    public func pruneReceived(finishedBefore: Timestamp, now: Timestamp = .now) throws(StoreError) -> Int {
        try database.withConnection { connection throws(StoreError) in
            try connection.run(
                "DELETE FROM received WHERE state != ? AND finishedAt < ? AND (expiresAt IS NULL OR expiresAt < ?)",
                [ReceivedState.running.rawValue, finishedBefore.millisecondsSinceEpoch, now.millisecondsSinceEpoch])
        }
    }

    /// How many received messages are recorded.
    public func receivedCount() throws(StoreError) -> Int {
        try database.withConnection { connection throws(StoreError) in
            try connection.query("SELECT COUNT(*) FROM received") { row in row.int(0) }.first ?? 0
        }
    }

    /// The ids of the messages recorded as running, oldest first.
    public func runningReceived() throws(StoreError) -> [String] {
        try database.withConnection { connection throws(StoreError) in
            try connection.query(
                "SELECT id FROM received WHERE state = ? ORDER BY receivedAt, id", [ReceivedState.running.rawValue]
            ) { row in row.text(0) }
        }
    }
}
