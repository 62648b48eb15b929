import Foundation
import Shared

/// Fan-outs as operations: one id for the messages one command sent to several nodes, kept one JSON line each in
/// `<data-dir>/operations.jsonl` (`id`, `createdAt`, `target`, `method`, `methodArgs`, `messages`: node and
/// message id), so the console and later commands can find the messages of an operation.
struct OperationLog {
    struct Entry: Codable, Sendable, Equatable {
        struct Member: Codable, Sendable, Equatable {
            var node: String
            var id: String
        }

        var id: String
        var createdAt: Timestamp
        /// The target as the operator wrote it (`@barn`, `site=barn`, `*`).
        var target: String
        var method: String
        var methodArgs: [String]
        var messages: [Member]
    }

    var path: String

    init(dataDirectory: String) { path = dataDirectory + "/operations.jsonl" }

    /// Appends `entry` as one line (one write, so concurrent senders do not interleave).
    func append(_ entry: Entry) throws {
        var line = try JSONLines.encoder.encode(entry)
        line.append(UInt8(ascii: "\n"))
        let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        guard descriptor >= 0 else { throw TargetError("\(path): cannot open it to record the operation") }
        defer { close(descriptor) }
        let written = line.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == line.count else { throw TargetError("\(path): cannot record the operation") }
    }

    /// Every operation recorded, oldest first; lines that cannot be read are skipped.
    func entries() -> [Entry] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { try? JSONDecoder().decode(Entry.self, from: Data($0.utf8)) }
    }
}
