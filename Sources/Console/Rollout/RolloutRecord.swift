import Foundation
import Shared

/// A rollout as `bosun rollouts` reads it: `<data-dir>/rollouts/<operation>.json`, written by `bosun send` when the
/// rollout begins, at each batch and at its end. The messages' outcomes are read from the outbox when listed.
struct RolloutRecord: Codable, Sendable, Equatable {
    struct Stage: Codable, Sendable, Equatable {
        var name: String
        var nodes: [String]
        var ids: [String]
    }

    enum State: String, Codable, Sendable {
        /// `bosun send` is carrying it.
        case running
        /// An operator paused it (`bosun rollouts pause`, the console): no further batch begins until resumed.
        case paused
        /// An operator aborted it: the batches not begun were not sent; the messages sent go on.
        case aborted
        /// Every batch was sent and every message is final.
        case completed
        /// Past the failure bound (or a failed canary): the batches not begun were not sent.
        case halted
        /// `send` stopped waiting (--timeout, Ctrl-C): the batches not begun were not sent; the messages sent go on.
        case stopped
    }

    var operation: String
    var createdAt: Timestamp
    var updatedAt: Timestamp
    var target: String
    var method: String
    var methodArgs: [String]
    var maxFailures: Int
    var stages: [Stage]
    /// How many stages have begun.
    var begun: Int
    var state: State
    var reason: String?

    static func directory(_ dataDirectory: String) -> String { dataDirectory + "/rollouts" }

    /// Writes the record (beside its place, then renamed over it: a reader never sees half of it).
    func save(dataDirectory: String) throws {
        let folder = Self.directory(dataDirectory)
        try FileSystem.makeDirectory(folder)
        let path = folder + "/\(operation).json"
        try JSONLines.encoder.encode(self).write(to: URL(fileURLWithPath: path + ".tmp"))
        guard rename(path + ".tmp", path) == 0 else { throw TargetError("\(path): cannot write the rollout's record") }
    }

    /// Every rollout recorded in `dataDirectory`, newest first; files that cannot be read are skipped.
    static func all(dataDirectory: String) -> [RolloutRecord] {
        let folder = directory(dataDirectory)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.filter { $0.hasSuffix(".json") }.compactMap { name in
            FileManager.default.contents(atPath: folder + "/" + name).flatMap {
                try? JSONDecoder().decode(RolloutRecord.self, from: $0)
            }
        }.sorted { $0.createdAt > $1.createdAt }
    }
}
