/// The central node's registry of the nodes it has heard from.
extension Store {
    private static let nodeColumns =
        "n.name, n.facts, n.lastSeen, n.helloInterval, n.saidBye, n.firstSeen, k.publicKey, k.state, "
        // The hello's `insecure` flag, found by SQLite in the stored facts (written compact by the agent).
        + #"instr(CAST(n.facts AS TEXT), '"insecure":true') > 0 "#
        + "FROM nodes n LEFT JOIN keys k ON k.node = n.name"

    /// Records a hello from `node`: it is seen at `at` and has not said goodbye.
    ///
    /// A new node is first seen now; a known one keeps its first sighting. `nil` facts or interval keep the ones known.
    public func recordHello(
        node: String, facts: [UInt8]?, helloInterval: Double?, at: Timestamp
    ) throws(StoreError) {
        try database.withConnection { connection throws(StoreError) in
            _ = try connection.run(
                """
                INSERT INTO nodes (name, facts, lastSeen, helloInterval, saidBye, firstSeen)
                VALUES (?, ?, ?, ?, 0, ?)
                ON CONFLICT (name) DO UPDATE SET
                    facts = COALESCE(excluded.facts, facts),
                    lastSeen = excluded.lastSeen,
                    helloInterval = COALESCE(excluded.helloInterval, helloInterval),
                    saidBye = 0
                """,
                [node, facts, at.millisecondsSinceEpoch, helloInterval, at.millisecondsSinceEpoch])
        }
    }

    /// Records that `node` said goodbye at `at` (a clean shutdown, not a failure); an unknown node is added.
    public func recordBye(node: String, at: Timestamp) throws(StoreError) {
        try database.withConnection { connection throws(StoreError) in
            _ = try connection.run(
                """
                INSERT INTO nodes (name, lastSeen, saidBye, firstSeen) VALUES (?, ?, 1, ?)
                ON CONFLICT (name) DO UPDATE SET lastSeen = excluded.lastSeen, saidBye = 1
                """,
                [node, at.millisecondsSinceEpoch, at.millisecondsSinceEpoch])
        }
    }

    /// Every known node, by name.
    public func nodes() throws(StoreError) -> [NodeRecord] {
        try database.read { connection throws(StoreError) in
            try connection.query("SELECT \(Store.nodeColumns) ORDER BY n.name") { row in
                Store.nodeRecord(from: row)
            }
        }
    }

    /// The node called `name`, if known.
    public func node(named name: String) throws(StoreError) -> NodeRecord? {
        try database.read { connection throws(StoreError) in
            try connection.query("SELECT \(Store.nodeColumns) WHERE n.name = ?", [name]) { row in
                Store.nodeRecord(from: row)
            }.first
        }
    }

    private static func nodeRecord(from row: Row) -> NodeRecord {
        NodeRecord(
            name: row.text(0), facts: row.optionalBlob(1),
            lastSeen: row.optionalInt64(2).map(Timestamp.init(millisecondsSinceEpoch:)),
            helloInterval: row.optionalDouble(3), saidBye: row.int64(4) != 0,
            firstSeen: Timestamp(millisecondsSinceEpoch: row.int64(5)), publicKey: row.optionalText(6).flatMap { $0.isEmpty ? nil : $0 },
            keyState: row.optionalText(7).flatMap(KeyState.init(rawValue:)), insecure: row.int(8) != 0)
    }
}
