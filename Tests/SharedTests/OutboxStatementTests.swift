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

    /// What a restart and a metrics sample ask of a large backlog: seeks and index entries, never its rows.
    @Test func findingDestinationsAndCountingTheWaitingReadNoWaitingRow() throws {
        try withTemporaryDirectory { directory in
            let store = try Store(path: directory + "/state.db")
            let plans = try store.database.read { connection throws(StoreError) in
                [
                    try connection.query("EXPLAIN QUERY PLAN " + Store.nextDestinationSQL, [""]) { $0.text(3) },
                    try connection.query("EXPLAIN QUERY PLAN SELECT COUNT(*), MIN(sequence) FROM outbox WHERE state = ?",
                        ["queued"]) { $0.text(3) },
                ]
            }
            #expect(plans[0] == ["SEARCH outbox USING INDEX outbox_unfinished (toNode>?)"])
            #expect(plans[1] == ["SEARCH outbox USING COVERING INDEX outbox_state (state=?)"])
        }
    }

    @Test func destinationsAndTheWaitingCountOnlyUnfinishedMessages() throws {
        try withTemporaryDirectory { directory in
            let store = try Store(path: directory + "/state.db")
            let at = { (millis: Int64) in Timestamp(millisecondsSinceEpoch: millis) }
            let messages = ["alpha", "beta", "gamma", "beta", "alpha"].enumerated().map { index, node in
                Message(id: "m\(index)", toNode: node, fromNode: "central", messageType: .eventACK, method: .ping,
                    createdAt: at(1000 + Int64(index)))
            }
            _ = try store.accept(messages, now: at(1000))
            #expect(try store.unfinishedDestinations() == ["alpha", "beta", "gamma"])
            #expect(try store.waiting().count == 5)
            try store.updateOutbox(id: "m0", state: .acked, now: at(2000))
            try store.updateOutbox(id: "m2", state: .failed, now: at(2000))
            try store.updateOutbox(id: "m1", state: .inProgress, now: at(2000))
            #expect(try store.unfinishedDestinations() == ["alpha", "beta"])
            let waiting = try store.waiting()
            #expect(waiting.count == 3)
            #expect(waiting.oldestAcceptedAt == at(1000))
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
