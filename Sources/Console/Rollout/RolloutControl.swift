import Foundation
import Shared

/// What an operator asks of a running rollout.
public enum RolloutRequest: String, Sendable, CaseIterable {
    /// No further batch begins; the messages already sent go on.
    case pause
    /// Batches begin again.
    case resume
    /// The rollout ends now: no further batch begins, the messages already sent go on (`bosun cancel` withdraws
    /// them).
    case abort
}

/// How a request reaches the `bosun send` that carries a rollout: `<data-dir>/rollouts/<operation>.request`,
/// holding the word of the latest request. The runner reads it a few times a second, so it works across
/// processes and the last word wins; the file goes when the rollout ends.
enum RolloutControl {
    static func path(_ operation: String, dataDirectory: String) -> String {
        RolloutRecord.directory(dataDirectory) + "/\(operation).request"
    }

    /// Asks the rollout `operation` (a full id, or the first characters of one) to pause, resume or abort; returns
    /// what was asked, for the operator. Throws when no such rollout is running or paused.
    @discardableResult
    static func ask(_ request: RolloutRequest, operation: String, dataDirectory: String) throws -> String {
        let matches = RolloutRecord.all(dataDirectory: dataDirectory).filter { $0.operation.hasPrefix(operation) }
        guard let rollout = matches.first, !operation.isEmpty else {
            throw TargetError("no rollout \(operation) in \(RolloutRecord.directory(dataDirectory))")
        }
        guard matches.count == 1 else { throw TargetError("\(operation) names \(matches.count) rollouts: give more of the id") }
        guard rollout.state == .running || rollout.state == .paused else {
            throw TargetError("rollout \(rollout.operation) is \(rollout.state.rawValue); only a running or paused one can be \(request.rawValue)d")
        }
        try FileSystem.write(Array(request.rawValue.utf8), to: path(rollout.operation, dataDirectory: dataDirectory))
        return "asked rollout \(rollout.operation) to \(request.rawValue)"
    }

    /// The latest request for `operation`, if any.
    static func latest(_ operation: String, dataDirectory: String) -> RolloutRequest? {
        (try? FileSystem.read(path(operation, dataDirectory: dataDirectory))).flatMap {
            RolloutRequest(rawValue: String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
        }
    }

    /// Forgets the requests of a rollout that has ended.
    static func clear(_ operation: String, dataDirectory: String) {
        FileSystem.remove(path(operation, dataDirectory: dataDirectory))
    }
}
