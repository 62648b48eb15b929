/// The alerts in force, kept in the metrics store so that a restart of the central node neither raises an alert
/// again nor forgets to clear one.
extension MetricsStore {
    /// The alerts in force: for each node, each rule's name and since when.
    public func activeAlerts() throws(StoreError) -> [String: [String: Timestamp]] {
        let rows = try database.withConnection { connection throws(StoreError) in
            try connection.query("SELECT node, rule, since FROM alerts") { row in
                (row.text(0), row.text(1), Timestamp(millisecondsSinceEpoch: row.int64(2)))
            }
        }
        var alerts: [String: [String: Timestamp]] = [:]
        for (node, rule, since) in rows { alerts[node, default: [:]][rule] = since }
        return alerts
    }

    /// Records that `rule` is in force for `node` from `since`.
    public func raiseAlert(node: String, rule: String, since: Timestamp) throws(StoreError) {
        _ = try database.withConnection { connection throws(StoreError) in
            try connection.run(
                "INSERT OR REPLACE INTO alerts (node, rule, since) VALUES (?, ?, ?)",
                [node, rule, since.millisecondsSinceEpoch])
        }
    }

    /// Records that `rule` is no longer in force for `node`.
    public func clearAlert(node: String, rule: String) throws(StoreError) {
        _ = try database.withConnection { connection throws(StoreError) in
            try connection.run("DELETE FROM alerts WHERE node = ? AND rule = ?", [node, rule])
        }
    }
}
