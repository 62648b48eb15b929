extension MetricsStore {
    /// The newest raw value of each metric of every node, in one query (what the Prometheus endpoint serves at each
    /// scrape): node → metric → value.
    public func latestOfAllNodes() throws(StoreError) -> [String: [String: Double]] {
        let rows = try database.withConnection { connection throws(StoreError) in
            // SQLite takes the bare column `value` from the row holding max(time).
            try connection.query("SELECT node, metric, max(time), value FROM raw GROUP BY node, metric") { row in
                (row.text(0), row.text(1), row.double(3))
            }
        }
        var latest: [String: [String: Double]] = [:]
        for (node, metric, value) in rows { latest[node, default: [:]][metric] = value }
        return latest
    }
}
