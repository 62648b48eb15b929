import Foundation
import Shared

/// Reads a node's forwarded log files, remembering how far it read each, so a follower gets only new lines.
struct LogReader {
    struct Line: Equatable {
        var text: String
        /// The RFC 3339 stamp the line starts with, if any.
        var time: Timestamp?
    }

    let directory: String
    /// One log, or every `*.log` in the directory when nil.
    let name: String?
    /// Bytes read so far, per log name.
    private var offsets: [String: Int] = [:]
    /// When set, a log read for the first time is read from this many bytes before its end (from its next line).
    var tailBytes: Int?

    init(directory: String, name: String?) {
        self.directory = directory
        self.name = name
    }

    /// The names of the logs to read, sorted.
    func files() -> [String] {
        if let name { return FileManager.default.fileExists(atPath: path(name)) ? [name] : [] }
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return entries.filter { $0.hasSuffix(".log") }.map { String($0.dropLast(4)) }.sorted()
    }

    /// The complete lines added to each log since the last call (a log that shrank is read again from its
    /// start); with `since`, only the lines from then on (see `bosun logs --help`).
    mutating func readNew(since: Timestamp?) -> [(String, [Line])] {
        var result: [(String, [Line])] = []
        for file in files() {
            // Unchanged since the last read (the Logs view asks every 250 ms): not opened again.
            if let offset = offsets[file], FileSystem.size(path(file)) == offset { continue }
            guard let handle = FileHandle(forReadingAtPath: path(file)) else { continue }
            defer { try? handle.close() }
            let size = Int((try? handle.seekToEnd()) ?? 0)
            var offset = offsets[file] ?? max(0, size - (tailBytes ?? size))
            if size < offset { offset = 0 }
            try? handle.seek(toOffset: UInt64(offset))
            var bytes = (try? handle.readToEnd()) ?? Data()
            if offsets[file] == nil, offset > 0, let newline = bytes.firstIndex(of: UInt8(ascii: "\n")) {
                // Started mid-file: the first, partial line is left out.
                offset += newline + 1 - bytes.startIndex
                bytes = bytes[(newline + 1)...]
            }
            // Only whole lines: a line still being written is read next time.
            guard let end = bytes.lastIndex(of: UInt8(ascii: "\n")) else { continue }
            offsets[file] = offset + (end - bytes.startIndex) + 1
            let text = String(decoding: bytes[bytes.startIndex..<end], as: UTF8.self)
            var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { Line(text: String($0), time: Self.stamp($0)) }
            if let since { lines = Self.lines(lines, since: since, modified: modificationTime(file)) }
            if !lines.isEmpty { result.append((file, lines)) }
        }
        return result
    }

    /// The lines from the first stamped at or after `since`; unstamped lines go with the stamped line before
    /// them; a file with no stamps at all counts as stamped when it was last changed.
    static func lines(_ lines: [Line], since: Timestamp, modified: Timestamp?) -> [Line] {
        guard lines.contains(where: { $0.time != nil }) else {
            return (modified.map { $0 >= since } ?? true) ? lines : []
        }
        var keep = false
        return lines.filter { line in
            if let time = line.time { keep = time >= since }
            return keep
        }
    }

    /// The RFC 3339 time a line starts with (up to its first space).
    static func stamp(_ line: Substring) -> Timestamp? {
        guard let first = line.first, first.isNumber, let word = line.split(separator: " ").first else { return nil }
        return Timestamp(rfc3339: String(word))
    }

    private func path(_ file: String) -> String { "\(directory)/\(file).log" }

    private func modificationTime(_ file: String) -> Timestamp? {
        FileSystem.modificationTime(path(file)).map { Timestamp(millisecondsSinceEpoch: $0 / 1_000_000) }
    }
}
