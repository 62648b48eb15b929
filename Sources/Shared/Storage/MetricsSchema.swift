/// The central node's metrics database (`metrics.db`, a file of its own beside `state.db`), as its migrations.
///
/// Raw values are one row per node, metric and time; the one- and ten-minute tables hold running aggregates
/// (min, max, sum and count, so the mean is exact) updated as each value arrives, so a roll-up never has to scan.
enum MetricsSchema {
    static let migrations: [String] = [
        """
        CREATE TABLE raw (
            node TEXT NOT NULL, metric TEXT NOT NULL, time INTEGER NOT NULL, value REAL NOT NULL,
            PRIMARY KEY (node, metric, time)
        ) WITHOUT ROWID;
        CREATE INDEX raw_time ON raw (time);
        \(aggregateTable("minute"))
        \(aggregateTable("tenMinute"))
        CREATE TABLE alerts (
            node TEXT NOT NULL, rule TEXT NOT NULL, since INTEGER NOT NULL,
            PRIMARY KEY (node, rule)
        ) WITHOUT ROWID;
        """
    ]

    /// A table of aggregates per node, metric and bucket (the bucket's start, in milliseconds).
    private static func aggregateTable(_ name: String) -> String {
        """
        CREATE TABLE \(name) (
            node TEXT NOT NULL, metric TEXT NOT NULL, bucket INTEGER NOT NULL,
            min REAL NOT NULL, max REAL NOT NULL, sum REAL NOT NULL, count INTEGER NOT NULL,
            PRIMARY KEY (node, metric, bucket)
        ) WITHOUT ROWID;
        CREATE INDEX \(name)_bucket ON \(name) (bucket);
        """
    }
}
