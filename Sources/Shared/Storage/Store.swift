import Dispatch
import Synchronization

/// A node's durable state in one SQLite file: the outbox, the receiver's dedup records and, on the central node,
/// the node registry.
///
/// Safe to share between tasks: calls are serialized, and each one is a single transaction, except the
/// `async` writes of the delivery path, which share group commits (see ``GroupCommit``).
/// Times are passed in rather than read from the clock, so that callers and tests control them.
public final class Store: Sendable {
    /// The database file.
    public let path: String
    let database: Database
    let groupCommit: GroupCommit
    /// Windows lanes read from the outbox (``outgoing(to:after:limit:)``): what a test counts to see that what an
    /// accept hands a lane is not read back.
    let windowReads = Atomic<Int>(0)

    /// Opens the store at `path`, creating the file and bringing its schema up to date.
    ///
    /// The directory must already exist.
    public convenience init(path: String) throws(StoreError) {
        try self.init(path: path, linger: GroupCommit.linger)
    }

    /// The same, with writes that can wait lingering for `linger` (a test that must see one linger).
    init(path: String, linger: DispatchTimeInterval) throws(StoreError) {
        self.path = path
        database = try Database(path: path)
        try database.migrate(Schema.migrations)
        groupCommit = GroupCommit(database: database, linger: linger)
    }

    /// The error for a stored value that cannot be read back.
    func corrupt(_ what: String, _ detail: String) -> StoreError {
        StoreError(.corruptRecord, path: path, "\(what): \(detail)")
    }
}
