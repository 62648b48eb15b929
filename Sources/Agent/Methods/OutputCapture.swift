/// One output stream of a command as it is read: the first `limit` bytes are kept, and, when lines are wanted,
/// each read's complete lines are handed on as they come.
struct OutputCapture: Sendable {
    let limit: Int
    let wantsLines: Bool
    private(set) var bytes: [UInt8] = []
    /// Whether the stream went past `limit`.
    private(set) var truncated = false
    /// Read but not yet handed on as lines: the unterminated end.
    private var pending: [UInt8] = []

    init(limit: Int, wantsLines: Bool) {
        self.limit = limit
        self.wantsLines = wantsLines
    }

    /// Takes one read; returns the complete lines in it and before it that were not handed on yet, if any.
    mutating func append(_ raw: UnsafeRawBufferPointer) -> String? {
        let room = limit - bytes.count
        if raw.count > room { truncated = true }
        if room > 0 { bytes.append(contentsOf: raw.prefix(room)) }
        guard wantsLines else { return nil }
        pending.append(contentsOf: raw)
        if let end = pending.lastIndex(of: UInt8(ascii: "\n")) {
            defer { pending.removeFirst(end + 1) }
            return String(decoding: pending[...end], as: UTF8.self)
        }
        // A stream that never ends a line is handed on in pieces of `limit` rather than held whole.
        guard pending.count >= limit else { return nil }
        defer { pending.removeAll(keepingCapacity: false) }
        return String(decoding: pending, as: UTF8.self)
    }

    /// At the end of the stream: the last, unterminated line, if any.
    mutating func finish() -> String? {
        guard wantsLines, !pending.isEmpty else { return nil }
        defer { pending = [] }
        return String(decoding: pending, as: UTF8.self)
    }
}
