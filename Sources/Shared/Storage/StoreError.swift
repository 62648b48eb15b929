/// A failure of the node's durable store: which database, what was being done, and why.
///
/// The description names the database path and the operation, and carries SQLite's own message,
/// so that a person can tell a full disk from a missing directory from a bug.
public struct StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// The database file could not be opened or created (missing directory, permissions).
        case cannotOpen
        /// The file was written by a newer Bosun whose schema this one does not know.
        case newerSchema
        /// A message with this id is already stored.
        case duplicateID
        /// A message lacks what the store needs (an id, a destination).
        case invalidMessage
        /// No record has the id given.
        case notFound
        /// A stored value cannot be read back (a message, a reply, a state name).
        case corruptRecord
        /// SQLite refused an operation.
        case failed
    }

    public var code: Code
    /// The database file.
    public var path: String
    public var reason: String

    public init(_ code: Code, path: String, _ reason: String) {
        self.code = code
        self.path = path
        self.reason = reason
    }

    public var description: String { "database \(path): \(reason)" }
}
