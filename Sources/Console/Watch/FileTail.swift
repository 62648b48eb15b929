import Foundation

/// Follows a file that grows by whole lines (journal.jsonl, errors.jsonl): each read gives the lines added
/// since the last one. A file replaced (rotated) or cut shorter is read again from its start.
struct FileTail {
    let path: String
    private var offset: UInt64 = 0
    private var inode: UInt64?
    private var partial: [UInt8] = []

    /// Starts at the file's current end: only what comes later is read.
    init(path: String, fromEnd: Bool = true) {
        self.path = path
        if fromEnd, let attributes = try? FileManager.default.attributesOfItem(atPath: path) {
            offset = (attributes[.size] as? NSNumber)?.uint64Value ?? 0
            inode = (attributes[.systemFileNumber] as? NSNumber)?.uint64Value
        }
    }

    /// The complete lines added since the last call.
    mutating func newLines() -> [String] {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else { return [] }
        let size = (attributes[.size] as? NSNumber)?.uint64Value ?? 0
        let node = (attributes[.systemFileNumber] as? NSNumber)?.uint64Value
        if node != inode || size < offset {
            inode = node
            offset = 0
            partial = []
        }
        guard size > offset, let handle = FileHandle(forReadingAtPath: path) else { return [] }
        defer { try? handle.close() }
        try? handle.seek(toOffset: offset)
        let data = (try? handle.readToEnd()) ?? Data()
        offset += UInt64(data.count)
        partial += data
        guard let lastNewline = partial.lastIndex(of: UInt8(ascii: "\n")) else { return [] }
        let complete = partial[...lastNewline]
        partial = Array(partial[(lastNewline + 1)...])
        return complete.split(separator: UInt8(ascii: "\n")).map { String(decoding: $0, as: UTF8.self) }
    }
}
