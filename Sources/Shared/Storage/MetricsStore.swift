import Synchronization

/// The central node's store of its nodes' metrics: raw values for an hour, one-minute aggregates (min, mean,
/// max) for a day, ten-minute ones for 30 days, pruned on schedule. A SQLite file of its own (`metrics.db`), so
/// its write rate never contends with the delivery engine's `state.db`.
///
/// Times are passed in (`now`), so tests of retention and pruning control them and never sleep.
public final class MetricsStore: Sendable {
    public struct Configuration: Sendable {
        /// Seconds each resolution is kept (see ``MetricsDefaults``).
        public var rawRetention = MetricsDefaults.rawRetention
        public var minuteRetention = MetricsDefaults.minuteRetention
        public var tenMinuteRetention = MetricsDefaults.tenMinuteRetention
        /// Seconds between prunings.
        public var pruneInterval = MetricsDefaults.pruneInterval

        public init() {}
    }

    public let path: String
    public let configuration: Configuration
    let database: Database
    private let lastPruned = Mutex<Timestamp?>(nil)

    /// Opens (creating) the store at `path`; its directory must exist.
    public init(path: String, configuration: Configuration = Configuration()) throws(StoreError) {
        self.path = path
        self.configuration = configuration
        database = try Database(path: path)
        try database.migrate(MetricsSchema.migrations)
    }

    /// Stores a node's sample: each value raw, and into its minute and ten-minute aggregates. A sample stored
    /// before (same node, metric and time) changes nothing. Prunes when a pruning is due at `now`.
    public func record(_ sample: MetricsSample, node: String, now: Timestamp) throws(StoreError) {
        try record([(node, sample)], now: now)
    }

    /// Stores samples of any nodes in one transaction (one commit for many samples: what lets a central node
    /// keep up with a large fleet).
    public func record(_ samples: [(node: String, sample: MetricsSample)], now: Timestamp) throws(StoreError) {
        try database.transaction { connection throws(StoreError) in
            for (node, sample) in samples { try insert(sample, node: node, connection) }
        }
        try pruneIfDue(now: now)
    }

    private func insert(_ sample: MetricsSample, node: String, _ connection: Connection) throws(StoreError) {
        let time = sample.time.millisecondsSinceEpoch
        for (metric, value) in sample.values {
            let inserted = try connection.run(
                "INSERT OR IGNORE INTO raw (node, metric, time, value) VALUES (?, ?, ?, ?)", [node, metric, time, value])
            guard inserted == 1 else { continue }
            for (table, width) in [("minute", Int64(60_000)), ("tenMinute", Int64(600_000))] {
                try connection.run(
                    """
                    INSERT INTO \(table) (node, metric, bucket, min, max, sum, count) VALUES (?, ?, ?, ?, ?, ?, 1)
                    ON CONFLICT (node, metric, bucket) DO UPDATE SET min = min(min, excluded.min),
                    max = max(max, excluded.max), sum = sum + excluded.sum, count = count + 1
                    """, [node, metric, time - time % width, value, value, value])
            }
        }
    }

    /// Prunes when `pruneInterval` has passed since the last pruning (or none was done); returns whether it did.
    @discardableResult
    public func pruneIfDue(now: Timestamp) throws(StoreError) -> Bool {
        let due = lastPruned.withLock { last in
            guard last.map({ now.seconds(since: $0) >= configuration.pruneInterval }) ?? true else { return false }
            last = now
            return true
        }
        if due { try prune(now: now) }
        return due
    }

    /// Deletes what each resolution keeps no longer at `now`; returns how many rows went.
    @discardableResult
    public func prune(now: Timestamp) throws(StoreError) -> Int {
        let cutoffs = [
            ("DELETE FROM raw WHERE time < ?", configuration.rawRetention),
            ("DELETE FROM minute WHERE bucket < ?", configuration.minuteRetention),
            ("DELETE FROM tenMinute WHERE bucket < ?", configuration.tenMinuteRetention),
        ]
        return try database.transaction { connection throws(StoreError) in
            var deleted = 0
            for (sql, retention) in cutoffs {
                deleted += try connection.run(sql, [now.adding(seconds: -retention).millisecondsSinceEpoch])
            }
            return deleted
        }
    }
}
