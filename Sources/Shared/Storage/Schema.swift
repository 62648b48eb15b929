/// The store's schema, as the migrations that build it.
enum Schema {
    /// Applied in order by ``Database/migrate(_:)``; append new ones, never edit a released one.
    static let migrations: [String] = [
        """
        CREATE TABLE outbox (
            sequence INTEGER PRIMARY KEY AUTOINCREMENT,
            id TEXT UNIQUE NOT NULL,
            toNode TEXT NOT NULL,
            method TEXT NOT NULL,
            message BLOB NOT NULL,
            state TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            nextAttemptAt INTEGER,
            lastError TEXT,
            reply BLOB,
            createdAt INTEGER NOT NULL,
            updatedAt INTEGER NOT NULL
        );
        CREATE INDEX outbox_state ON outbox (state, sequence);
        CREATE INDEX outbox_toNode ON outbox (toNode, sequence);
        CREATE TABLE received (
            id TEXT PRIMARY KEY,
            fromNode TEXT NOT NULL,
            method TEXT NOT NULL,
            state TEXT NOT NULL,
            replyTo TEXT,
            reply BLOB,
            receivedAt INTEGER NOT NULL,
            finishedAt INTEGER
        );
        CREATE INDEX received_finishedAt ON received (finishedAt);
        CREATE TABLE nodes (
            name TEXT PRIMARY KEY,
            facts BLOB,
            lastSeen INTEGER,
            helloInterval REAL,
            saidBye INTEGER NOT NULL DEFAULT 0,
            firstSeen INTEGER NOT NULL
        );
        """,
        // A result that comes after the ACK (``Method/result``), kept apart from the ACK so neither overwrites the other.
        "ALTER TABLE outbox ADD COLUMN result BLOB;",
        // The public key each node signs with, pinned the first time it is seen (trust on first use).
        "CREATE TABLE keys (node TEXT PRIMARY KEY, publicKey TEXT NOT NULL, pinnedAt INTEGER NOT NULL);",
    ]
}
