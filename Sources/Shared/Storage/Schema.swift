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
        // The second delivery engine: a lane reads what it sends by (toNode, sequence) and publishes the stored
        // bytes as they are, so what it needs to carry a message sits in columns beside them, filled from the
        // stored JSON for messages accepted before. Unfinished messages have partial indexes of their own, so a
        // lane's next window and a probe's expiry check skip the finished ones however many are kept.
        """
        ALTER TABLE outbox ADD COLUMN subject TEXT;
        ALTER TABLE outbox ADD COLUMN wantsAck INTEGER NOT NULL DEFAULT 1;
        ALTER TABLE outbox ADD COLUMN ackTimeout REAL;
        ALTER TABLE outbox ADD COLUMN retries INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE outbox ADD COLUMN retryWait REAL;
        ALTER TABLE outbox ADD COLUMN expiresAt INTEGER;
        ALTER TABLE outbox ADD COLUMN sequential INTEGER NOT NULL DEFAULT 0;
        UPDATE outbox SET
            subject = 'bosun.' || toNode || '.' || method || '.' || json_extract(message, '$.messageType'),
            wantsAck = json_extract(message, '$.messageType') IN ('CommandACK', 'EventACK'),
            ackTimeout = json_extract(message, '$.ackTimeout'),
            retries = COALESCE(json_extract(message, '$.retries'), 0),
            retryWait = json_extract(message, '$.retryWait'),
            expiresAt = CAST((julianday(json_extract(message, '$.createdAt')) - 2440587.5) * 86400000 AS INTEGER)
                + CAST(json_extract(message, '$.ttl') * 1000 AS INTEGER);
        CREATE INDEX outbox_unfinished ON outbox (toNode, sequence)
            WHERE state IN ('queued', 'sending', 'inProgress');
        CREATE INDEX outbox_unfinished_expiry ON outbox (toNode, expiresAt)
            WHERE state IN ('queued', 'sending', 'inProgress');
        CREATE INDEX outbox_unfinished_bounded ON outbox (toNode, sequence)
            WHERE state IN ('queued', 'sending', 'inProgress') AND retries > 0;
        """,
        // Safe by default: a message's signature travels in NATS headers over the exact bytes stored here (stored
        // beside them, published with them); a node's key is pinned only once an operator approves it (`pending`
        // until then, or `rejected` for good). Keys pinned before this were pinned on first sight: they stay approved.
        """
        ALTER TABLE outbox ADD COLUMN signedBy TEXT;
        ALTER TABLE outbox ADD COLUMN signature TEXT;
        ALTER TABLE keys ADD COLUMN state TEXT NOT NULL DEFAULT 'approved';
        ALTER TABLE keys ADD COLUMN decidedAt INTEGER;
        CREATE INDEX keys_by_key ON keys (publicKey);
        """,
        // The unfinished messages' partial indexes on comparisons instead of `state IN (…)`, which SQLite evaluated
        // with a temporary b-tree per index and row: ten times the cost of an outbox update (``Store/unfinishedSQL``).
        """
        DROP INDEX outbox_unfinished;
        DROP INDEX outbox_unfinished_expiry;
        DROP INDEX outbox_unfinished_bounded;
        CREATE INDEX outbox_unfinished ON outbox (toNode, sequence)
            WHERE (state = 'queued' OR state = 'sending' OR state = 'inProgress');
        CREATE INDEX outbox_unfinished_expiry ON outbox (toNode, expiresAt)
            WHERE (state = 'queued' OR state = 'sending' OR state = 'inProgress');
        CREATE INDEX outbox_unfinished_bounded ON outbox (toNode, sequence)
            WHERE (state = 'queued' OR state = 'sending' OR state = 'inProgress') AND retries > 0;
        """,
        // When a received message's ttl ends: its sender may retry it until then, so its record is kept until then
        // at least, however long ago it finished (``Store/pruneReceived(finishedBefore:now:)``).
        "ALTER TABLE received ADD COLUMN expiresAt INTEGER;",
    ]
}