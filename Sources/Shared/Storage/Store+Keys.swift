/// The public keys of other nodes, pinned the first time each is seen (trust on first use).
extension Store {
    /// What pinning a key found.
    public enum KeyPin: Sendable, Equatable {
        /// The node had no key: this one is pinned now.
        case pinned
        /// The node's pinned key is this one.
        case same
        /// The node's pinned key is another one; it stays pinned.
        case changed(pinned: String)
    }

    /// Pins `key` for `node` unless it has one; says which case it was.
    public func pinKey(node: String, key: String, at: Timestamp) throws(StoreError) -> KeyPin {
        try database.transaction { connection throws(StoreError) in
            let known = try connection.query("SELECT publicKey FROM keys WHERE node = ?", [node]) { row in row.text(0) }.first
            guard let known else {
                try connection.run(
                    "INSERT INTO keys (node, publicKey, pinnedAt) VALUES (?, ?, ?)", [node, key, at.millisecondsSinceEpoch])
                return .pinned
            }
            return known == key ? .same : .changed(pinned: known)
        }
    }

    /// The key pinned for `node`, if any.
    public func pinnedKey(node: String) throws(StoreError) -> String? {
        try database.read { connection throws(StoreError) in
            try connection.query("SELECT publicKey FROM keys WHERE node = ?", [node]) { row in row.text(0) }.first
        }
    }

    /// Forgets `node`'s pinned key, so its next hello pins the one it has now (after a reinstall, say).
    @discardableResult
    public func forgetKey(node: String) throws(StoreError) -> Bool {
        try database.withConnection { connection throws(StoreError) in
            try connection.run("DELETE FROM keys WHERE node = ?", [node]) > 0
        }
    }
}
