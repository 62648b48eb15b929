import CSQLite

/// A prepared statement lent out by a ``Connection`` for one use; reset when the use ends.
struct Statement {
    let pointer: OpaquePointer
    let sql: String
    let connection: Connection

    /// Binds `values` to the parameters in order; nil binds NULL.
    func bind(_ values: [(any SQLBindable)?]) throws(StoreError) {
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            let status = value?.bind(to: pointer, at: index) ?? sqlite3_bind_null(pointer, index)
            guard status == SQLITE_OK else {
                throw connection.error(status, "bind parameter \(index) of `\(sql)`")
            }
        }
    }

    /// Advances to the next row; false when there are no more.
    func step() throws(StoreError) -> Bool {
        switch sqlite3_step(pointer) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        case let status: throw connection.error(status, "run `\(sql)`")
        }
    }

    var row: Row { Row(statement: pointer) }

    /// Makes the statement ready for its next use and releases the locks a half-read query holds.
    func reset() {
        sqlite3_reset(pointer)
        sqlite3_clear_bindings(pointer)
    }
}
