import CSQLite

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// An open `sqlite3*` handle and its cache of prepared statements, keyed by SQL text.
// @unchecked Sendable is safe: only Database holds one and lends it out only inside its Mutex, serializing all access.
final class Connection: @unchecked Sendable {
    let handle: OpaquePointer
    let path: String
    private var statements: [String: OpaquePointer] = [:]

    /// Opens (creating if absent) the database file; its directory must exist.
    init(path: String) throws(StoreError) {
        var handle: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let status = sqlite3_open_v2(path, &handle, flags, nil)
        guard status == SQLITE_OK, let handle else {
            var reason = handle.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(status))
            // SQLite says only "unable to open database file"; errno tells a missing directory from permissions.
            if let handle, sqlite3_system_errno(handle) != 0 {
                reason += " (\(String(cString: strerror(sqlite3_system_errno(handle)))))"
            }
            sqlite3_close_v2(handle)
            throw StoreError(.cannotOpen, path: path, "cannot open: \(reason)")
        }
        self.handle = handle
        self.path = path
        sqlite3_extended_result_codes(handle, 1)
    }

    deinit {
        for statement in statements.values { sqlite3_finalize(statement) }
        sqlite3_close_v2(handle)
    }

    /// Runs one or more statements that take no parameters and whose rows are not needed.
    func execute(_ sql: String) throws(StoreError) {
        var message: UnsafeMutablePointer<CChar>?
        let status = sqlite3_exec(handle, sql, nil, nil, &message)
        defer { sqlite3_free(message) }
        guard status == SQLITE_OK else {
            let detail = message.map { String(cString: $0) } ?? String(cString: sqlite3_errstr(status))
            throw StoreError(.failed, path: path, "execute `\(sql)`: \(detail)")
        }
    }

    /// The cached statement for `sql`, prepared on first use.
    func prepare(_ sql: String) throws(StoreError) -> Statement {
        if let cached = statements[sql] {
            return Statement(pointer: cached, sql: sql, connection: self)
        }
        var pointer: OpaquePointer?
        let status = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &pointer, nil)
        guard status == SQLITE_OK, let pointer else {
            throw error(status, "prepare `\(sql)`")
        }
        statements[sql] = pointer
        return Statement(pointer: pointer, sql: sql, connection: self)
    }

    /// Runs a statement that returns no rows; returns how many rows it changed.
    @discardableResult
    func run(_ sql: String, _ values: [(any SQLBindable)?] = []) throws(StoreError) -> Int {
        let statement = try prepare(sql)
        defer { statement.reset() }
        try statement.bind(values)
        while try statement.step() {}
        return Int(sqlite3_changes(handle))
    }

    /// Runs a query and reads every row with `read`.
    func query<T>(
        _ sql: String, _ values: [(any SQLBindable)?] = [], _ read: (Row) throws(StoreError) -> T
    ) throws(StoreError) -> [T] {
        let statement = try prepare(sql)
        defer { statement.reset() }
        try statement.bind(values)
        var results: [T] = []
        while try statement.step() {
            results.append(try read(statement.row))
        }
        return results
    }

    /// The rowid of the last row inserted through this connection.
    var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// The error for a failed SQLite call, with SQLite's message for the connection.
    func error(_ status: Int32, _ operation: String) -> StoreError {
        var detail = String(cString: sqlite3_errmsg(handle))
        if detail == "not an error" { detail = String(cString: sqlite3_errstr(status)) }
        return StoreError(.failed, path: path, "\(operation): \(detail) (code \(status))")
    }
}
