/// A NULL-terminated array of C strings in one allocation, as `argv` and `envp` are passed to a spawn.
///
/// Built once and read-only afterwards, so it can be shared between threads; the memory goes with the object.
final class CStringArray: @unchecked Sendable {
    /// The array, ending with NULL.
    let pointers: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>
    private let bytes: UnsafeMutableRawBufferPointer

    /// From strings (each gets its NUL here).
    convenience init(_ strings: [String]) {
        self.init(rows: strings.map { Array($0.utf8) + [0] })
    }

    /// From rows that already end with their NUL each.
    init(rows: [[UInt8]]) {
        bytes = .allocate(byteCount: max(1, rows.reduce(0) { $0 + $1.count }), alignment: 1)
        pointers = .allocate(capacity: rows.count + 1)
        var offset = 0
        for (index, row) in rows.enumerated() {
            let start = bytes.baseAddress! + offset
            row.withUnsafeBytes { start.copyMemory(from: $0.baseAddress!, byteCount: row.count) }
            pointers[index] = start.assumingMemoryBound(to: CChar.self)
            offset += row.count
        }
        pointers[rows.count] = nil
    }

    deinit {
        pointers.deallocate()
        bytes.deallocate()
    }
}
