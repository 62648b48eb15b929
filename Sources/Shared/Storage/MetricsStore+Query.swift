/// One point of a metric's series: a raw value (min, mean and max alike) or an aggregate over its bucket.
public struct MetricsPoint: Sendable, Equatable, Codable {
    /// The value's time, or the start of the bucket.
    public var time: Timestamp
    public var min: Double
    public var mean: Double
    public var max: Double

    public init(time: Timestamp, min: Double, mean: Double, max: Double) {
        self.time = time
        self.min = min
        self.mean = mean
        self.max = max
    }
}

/// The resolution a series is read at.
public enum MetricsResolution: String, Sendable, CaseIterable {
    case raw, minute, tenMinute

    var table: String { self == .raw ? "raw" : rawValue }
}

extension MetricsStore {
    /// The finest resolution still kept for everything since `since`.
    public func resolution(since: Timestamp, now: Timestamp) -> MetricsResolution {
        let window = now.seconds(since: since)
        if window <= configuration.rawRetention { return .raw }
        return window <= configuration.minuteRetention ? .minute : .tenMinute
    }

    /// Each metric of `node` since `since`, oldest point first, at the finest resolution kept that far back.
    public func series(
        node: String, since: Timestamp, now: Timestamp
    ) throws(StoreError) -> (resolution: MetricsResolution, series: [String: [MetricsPoint]]) {
        let resolution = resolution(since: since, now: now)
        let sql =
            resolution == .raw
            ? "SELECT metric, time, value, value, value FROM raw WHERE node = ? AND time >= ? ORDER BY metric, time"
            : """
            SELECT metric, bucket, min, sum / count, max FROM \(resolution.table)
            WHERE node = ? AND bucket >= ? ORDER BY metric, bucket
            """
        // A bucket that began before `since` still holds values after it.
        let width: Int64 = resolution == .minute ? 60_000 : resolution == .tenMinute ? 600_000 : 1
        let start = since.millisecondsSinceEpoch - since.millisecondsSinceEpoch % width
        let rows = try database.withConnection { connection throws(StoreError) in
            try connection.query(sql, [node, start]) { row in
                (row.text(0), MetricsPoint(
                    time: Timestamp(millisecondsSinceEpoch: row.int64(1)), min: row.double(2), mean: row.double(3),
                    max: row.double(4)))
            }
        }
        return (resolution, Dictionary(grouping: rows, by: \.0).mapValues { $0.map(\.1) })
    }

    /// The newest raw value of each metric of `node` (what a node's columns and alerts look at).
    public func latest(node: String) throws(StoreError) -> [String: (time: Timestamp, value: Double)] {
        let rows = try database.withConnection { connection throws(StoreError) in
            try connection.query(
                "SELECT metric, max(time), value FROM raw WHERE node = ? GROUP BY metric", [node]
            ) { row in (row.text(0), (time: Timestamp(millisecondsSinceEpoch: row.int64(1)), value: row.double(2))) }
        }
        return Dictionary(rows) { first, _ in first }
    }

    /// The nodes with raw values, by name.
    public func nodes() throws(StoreError) -> [String] {
        try database.withConnection { connection throws(StoreError) in
            try connection.query("SELECT DISTINCT node FROM raw ORDER BY node") { row in row.text(0) }
        }
    }

    /// Rows in each resolution's table (for tests and the benchmarks).
    public func rowCounts() throws(StoreError) -> [MetricsResolution: Int] {
        var counts: [MetricsResolution: Int] = [:]
        for resolution in MetricsResolution.allCases {
            counts[resolution] = try database.withConnection { connection throws(StoreError) in
                try connection.query("SELECT COUNT(*) FROM \(resolution.table)") { row in row.int(0) }.first ?? 0
            }
        }
        return counts
    }
}
