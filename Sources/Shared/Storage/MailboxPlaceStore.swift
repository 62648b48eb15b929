/// Where this node has got to in its JetStream mailbox (`--mailbox jetstream`): for each stream, the sequence up
/// to which every message has been handled and answered. A SQLite file of its own (`mailbox.db`), written after
/// the answer is durable in `state.db`: a crash between the two reads a few messages again, which the dedup
/// store answers from their stored result.
public final class MailboxPlaceStore: Sendable {
    let database: Database

    /// Opens (creating) the store at `path`; its directory must exist.
    public init(path: String) throws(StoreError) {
        database = try Database(path: path)
        try database.migrate(["CREATE TABLE place (stream TEXT PRIMARY KEY, sequence INTEGER NOT NULL)"])
    }

    /// The place in `stream`: 0 when nothing of it has been handled yet.
    public func place(stream: String) throws(StoreError) -> UInt64 {
        try database.read { connection throws(StoreError) in
            try connection.query("SELECT sequence FROM place WHERE stream = ?", [stream]) { row in
                UInt64(max(0, row.int64(0)))
            }.first ?? 0
        }
    }

    /// Moves the place in `stream` forward to `sequence` (never back).
    public func advance(stream: String, to sequence: UInt64) throws(StoreError) {
        _ = try database.transaction { connection throws(StoreError) in
            try connection.run(
                """
                INSERT INTO place (stream, sequence) VALUES (?, ?)
                ON CONFLICT (stream) DO UPDATE SET sequence = max(sequence, excluded.sequence)
                """, [stream, Int64(sequence)])
        }
    }
}
