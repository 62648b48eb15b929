import Foundation

/// The compose bar's history across runs: `<data-dir>/history`, one line per sent compose line, oldest first.
struct HistoryFile: Sendable {
    let path: String
    /// Lines kept; older ones are dropped when the file is written.
    var limit = 500

    init(dataDirectory: String) { path = dataDirectory + "/history" }

    /// The remembered lines, oldest first; none when the file is missing or unreadable.
    func load() -> [String] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        return Array(text.split(separator: "\n").map(String.init).suffix(limit))
    }

    /// Replaces the file with `lines` (the last `limit` of them). A history that cannot be written is not an
    /// error worth stopping the console for.
    func save(_ lines: [String]) {
        let text = lines.suffix(limit).map { $0 + "\n" }.joined()
        try? text.write(toFile: path, atomically: true, encoding: .utf8)
    }
}
