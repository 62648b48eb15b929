import CSQLite
import Synchronization

/// A SQLite database file, reached from any task; one caller at a time.
///
/// Calls are not reentrant: a `transaction` or `withConnection` body must use the connection it is given,
/// never the `Database` again.
final class Database: Sendable {
    let path: String
    private let connection: Mutex<Connection>
    /// A second connection for reads, so a lane reading its next window or a receiver reading a pinned key does not
    /// wait behind a group commit (WAL lets a reader see the last commit while a write is under way).
    private let reader: Mutex<Connection>

    /// Opens the file, creating it if absent, and sets the pragmas every Bosun database uses.
    init(path: String) throws(StoreError) {
        let connection = try Connection(path: path)
        // WAL lets readers proceed during a write and makes a commit one append; NORMAL is durable across a
        // process crash, which is the failure that matters here, and loses at most the last commits on power loss.
        try connection.execute("PRAGMA journal_mode=WAL")
        try connection.execute("PRAGMA synchronous=NORMAL")
        // Another process (a `bosun` subcommand) may hold the write lock for a moment.
        try connection.execute("PRAGMA busy_timeout=5000")
        try connection.execute("PRAGMA foreign_keys=ON")
        self.path = path
        self.connection = Mutex(connection)
        let reader = try Connection(path: path)
        try reader.execute("PRAGMA busy_timeout=5000")
        self.reader = Mutex(reader)
    }

    /// Runs `body` with the read connection: for queries only, which see the last commit.
    func read<R: Sendable>(_ body: (Connection) throws(StoreError) -> R) throws(StoreError) -> R {
        try reader.withLock { connection throws(StoreError) -> R in try body(connection) }
    }

    /// Runs statements that take no parameters, outside any explicit transaction.
    func execute(_ sql: String) throws(StoreError) {
        try withConnection { connection throws(StoreError) in try connection.execute(sql) }
    }

    /// Runs `body` with the connection, outside a transaction: for reads and single-statement writes.
    func withConnection<R: Sendable>(_ body: (Connection) throws(StoreError) -> R) throws(StoreError) -> R {
        try connection.withLock { connection throws(StoreError) -> R in try body(connection) }
    }

    /// Runs `body` in one write transaction: committed when it returns, rolled back when it throws.
    ///
    /// `BEGIN IMMEDIATE` takes the write lock up front, so a transaction that reads then writes
    /// never fails halfway with SQLITE_BUSY.
    func transaction<R: Sendable>(_ body: (Connection) throws(StoreError) -> R) throws(StoreError) -> R {
        try connection.withLock { connection throws(StoreError) -> R in
            // Both statements prepared once and kept, like every statement run through `run`.
            try connection.run("BEGIN IMMEDIATE")
            do throws(StoreError) {
                let result = try body(connection)
                try connection.run("COMMIT")
                return result
            } catch {
                // SQLite may have rolled back already (after a full disk, say); the first error is the one to report.
                try? connection.execute("ROLLBACK")
                throw error
            }
        }
    }

    /// Brings the schema up to date: applies the migrations after the one recorded in `PRAGMA user_version`.
    ///
    /// Migration `n` (0-based) leaves the schema at version `n + 1`. Migrations are only ever appended.
    func migrate(_ migrations: [String]) throws(StoreError) {
        try transaction { connection throws(StoreError) in
            let version = try connection.query("PRAGMA user_version") { row in row.int(0) }.first ?? 0
            guard version <= migrations.count else {
                throw StoreError(
                    .newerSchema, path: path,
                    "schema version \(version) is newer than this program knows (\(migrations.count))")
            }
            for (index, sql) in migrations.enumerated().dropFirst(version) {
                try connection.execute(sql)
                try connection.execute("PRAGMA user_version = \(index + 1)")
            }
        }
    }
}
