/// The public keys of other nodes: each node's key, and whether the operator let the node in.
///
/// A node's first signed hello records its key as `pending` (or `approved` at once under `--auto-approve`);
/// `bosun nodes approve` pins it, `bosun nodes reject` refuses the node for good. Only an approved key's
/// messages are taken, and only under that node's name.
extension Store {
    /// What the operator decided about a node's key.
    public enum KeyState: String, Sendable, Equatable, Codable {
        case approved, pending, rejected
    }

    /// A node's key as the registry has it.
    public struct KeyRecord: Sendable, Equatable {
        public var node: String
        public var publicKey: String
        public var state: KeyState
        public var pinnedAt: Timestamp
    }

    /// What recording a key found.
    public enum KeyPin: Sendable, Equatable {
        /// The node had no key: this one is recorded now, in the state asked for.
        case pinned
        /// The node's key is this one.
        case same
        /// The node's key is another one; it stays.
        case changed(pinned: String)
    }

    private static let keyColumns = "node, publicKey, state, pinnedAt"

    private static func keyRecord(_ row: Row) -> KeyRecord {
        KeyRecord(
            node: row.text(0), publicKey: row.text(1), state: KeyState(rawValue: row.text(2)) ?? .pending,
            pinnedAt: Timestamp(millisecondsSinceEpoch: row.int64(3)))
    }

    /// Records `key` for `node` in `state` unless the node has a key; says which case it was.
    public func pinKey(node: String, key: String, state: KeyState = .approved, at: Timestamp) throws(StoreError) -> KeyPin {
        try database.transaction { connection throws(StoreError) in
            let known = try connection.query("SELECT publicKey FROM keys WHERE node = ?", [node]) { row in row.text(0) }.first
            guard let known else {
                try connection.run(
                    "INSERT INTO keys (node, publicKey, pinnedAt, state, decidedAt) VALUES (?, ?, ?, ?, ?)",
                    [node, key, at.millisecondsSinceEpoch, state.rawValue, state == .pending ? nil : at.millisecondsSinceEpoch])
                return .pinned
            }
            return known == key ? .same : .changed(pinned: known)
        }
    }

    /// The key approved for `node`, if any.
    public func pinnedKey(node: String) throws(StoreError) -> String? {
        try keyRecord(node: node).flatMap { $0.state == .approved ? $0.publicKey : nil }
    }

    /// `node`'s key record, whatever its state.
    public func keyRecord(node: String) throws(StoreError) -> KeyRecord? {
        try database.read { connection throws(StoreError) in
            try connection.query("SELECT \(Store.keyColumns) FROM keys WHERE node = ?", [node], Store.keyRecord).first
        }
    }

    /// The nodes that sign with `publicKey` (usually one), and their states.
    public func keyRecords(publicKey: String) throws(StoreError) -> [KeyRecord] {
        try database.read { connection throws(StoreError) in
            try connection.query("SELECT \(Store.keyColumns) FROM keys WHERE publicKey = ?", [publicKey], Store.keyRecord)
        }
    }

    /// The key records of `nodes` (those that have one), in one read however many: what a fan-out's lanes check
    /// their ACKs against, read once for all of them rather than once per lane.
    func keyRecords(nodes: [String]) throws(StoreError) -> [String: KeyRecord] {
        guard !nodes.isEmpty else { return [:] }
        // The names travel as one JSON array: one statement, cached once, for any number of nodes.
        var names = JSONWriter(capacity: nodes.count * 16)
        names.strings(nodes)
        let list = String(decoding: names.bytes, as: UTF8.self)
        let records = try database.read { connection throws(StoreError) in
            try connection.query(
                "SELECT \(Store.keyColumns) FROM keys WHERE node IN (SELECT value FROM json_each(?))", [list], Store.keyRecord)
        }
        return Dictionary(records.map { ($0.node, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Every key record, by node.
    public func keyRecords() throws(StoreError) -> [KeyRecord] {
        try database.read { connection throws(StoreError) in
            try connection.query("SELECT \(Store.keyColumns) FROM keys ORDER BY node", [], Store.keyRecord)
        }
    }

    /// Sets `node`'s key to `state` (approve or reject); returns its record, nil when the node has no key on
    /// record. Rejecting a node never seen keeps its name out for good.
    @discardableResult
    public func decide(node: String, _ state: KeyState, at: Timestamp) throws(StoreError) -> KeyRecord? {
        try database.transaction { connection throws(StoreError) in
            let changed = try connection.run(
                "UPDATE keys SET state = ?, decidedAt = ? WHERE node = ?", [state.rawValue, at.millisecondsSinceEpoch, node])
            if changed == 0, state == .rejected {
                try connection.run(
                    "INSERT INTO keys (node, publicKey, pinnedAt, state, decidedAt) VALUES (?, '', ?, 'rejected', ?)",
                    [node, at.millisecondsSinceEpoch, at.millisecondsSinceEpoch])
            }
            return try connection.query("SELECT \(Store.keyColumns) FROM keys WHERE node = ?", [node], Store.keyRecord).first
        }
    }

    /// Replaces `node`'s key by `key`, keeping its state (a rotation the node proved with its old key).
    public func replaceKey(node: String, with key: String, at: Timestamp) throws(StoreError) {
        try database.withConnection { connection throws(StoreError) in
            _ = try connection.run(
                "UPDATE keys SET publicKey = ?, pinnedAt = ? WHERE node = ?", [key, at.millisecondsSinceEpoch, node])
        }
    }

    /// Forgets `node`'s key, so its next hello asks to join again with the key it has now (after a reinstall).
    @discardableResult
    public func forgetKey(node: String) throws(StoreError) -> Bool {
        try database.withConnection { connection throws(StoreError) in
            try connection.run("DELETE FROM keys WHERE node = ?", [node]) > 0
        }
    }
}
