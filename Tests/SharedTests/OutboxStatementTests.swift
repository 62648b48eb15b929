import Testing

@testable import Shared

/// The statements every message runs at the sender do their work in the outbox's indexes alone: no temporary
/// b-tree built per run (SQLite codes `state IN (…)` with three values as one, and an insert or update evaluates
/// each partial index's condition, so a list there cost ten times an update's own work).
@Suite struct OutboxStatementTests {
    static let perMessage = [
        "INSERT INTO outbox (id, toNode, method, message, state, createdAt, updatedAt) VALUES (?, ?, ?, ?, ?, ?, ?)",
        "UPDATE outbox SET state = ?, updatedAt = ?, attempts = ?, nextAttemptAt = ?, lastError = ?, reply = ? WHERE id = ?",
        "SELECT sequence FROM outbox WHERE toNode = ? AND \(Store.unfinishedSQL) AND sequence > ? ORDER BY sequence LIMIT ?",
        "SELECT sequence FROM outbox WHERE sequence = ? AND \(Store.unfinishedSQL)",
    ]

    @Test(arguments: perMessage) func buildsNoTemporaryTree(_ sql: String) throws {
        try withTemporaryDirectory { directory in
            let store = try Store(path: directory + "/state.db")
            let placeholders = sql.count { $0 == "?" }
            let opcodes = try store.database.read { connection throws(StoreError) in
                try connection.query("EXPLAIN " + sql, Array(repeating: 1, count: placeholders)) { $0.text(1) }
            }
            #expect(opcodes.contains("OpenWrite") || opcodes.contains("OpenRead"), "EXPLAIN gave no program: \(opcodes)")
            #expect(!opcodes.contains("OpenEphemeral"), "\(sql) builds a temporary b-tree each run")
        }
    }

    @Test func aLaneReadsItsWindowThroughTheUnfinishedIndex() throws {
        try withTemporaryDirectory { directory in
            let store = try Store(path: directory + "/state.db")
            let plan = try store.database.read { connection throws(StoreError) in
                try connection.query("EXPLAIN QUERY PLAN " + Self.perMessage[2], ["n1", 0, 10]) { $0.text(3) }
            }
            #expect(plan == ["SEARCH outbox USING INDEX outbox_unfinished (toNode=? AND sequence>?)"])
        }
    }
}
