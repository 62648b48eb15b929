import ArgumentParser
import Foundation
import Shared

/// What `bosun send` prints for a fan-out: a summary line, then each distinct output once with the nodes that
/// gave it (`pi-[1-9,12]`), most common first, and the nodes still waiting; or, with --json, one object per node.
struct FanOutReport {
    var operation: String
    var outcomes: [NodeOutcome]
    var ending: SendWait.Ending

    /// Prints the report; the exit code says whether every node succeeded.
    func print(json: Bool) throws {
        if json {
            for outcome in outcomes {
                Swift.print(String(decoding: try JSONLines.encoder.encode(row(outcome)), as: UTF8.self))
            }
        } else {
            Swift.print(text(), terminator: "")
        }
        if let code = exitCode { throw ExitCode(code) }
    }

    /// nil when every node succeeded (with --no-wait: none failed yet); else 130 interrupted, 69 (--fail-fast) or
    /// 75 (--timeout) with nodes still waiting, 1 when some failed, were rejected, expired or were not sent.
    var exitCode: Int32? {
        if outcomes.contains(where: { $0.kind == .waiting }) {
            switch ending {
            case .interrupted: return ExitStatus.interrupted
            case .noResponders: return ExitStatus.unavailable
            case .timedOut: return ExitStatus.tempFail
            case .settled: break  // --no-wait: the waiting ones were sent
            }
        }
        return outcomes.allSatisfy({ $0.kind == .ok || $0.kind == .waiting }) ? nil : 1
    }

    func text() -> String {
        let folded = OutcomeGroups(outcomes)
        var lines = ["operation \(operation): \(folded.summary)"]
        for group in folded.groups {
            let sample = group.sample
            let nodes = NodeList.compact(group.nodes)
            switch sample.kind {
            case .waiting:
                let why = sample.away ? "not connected" : ending == .settled ? "sent" : "no answer yet"
                lines.append("── still waiting (\(why)): \(nodes)")
            case .notSent:
                lines.append("── not sent (rollout halted): \(nodes)")
            case .rejected, .expired:
                lines.append("── \(sample.kind.rawValue): \(nodes): \(sample.reply?.error ?? sample.lastError ?? "")")
            case .ok, .failed:
                lines.append("── \(nodes) (\(headline(sample)))")
                if let stdout = sample.reply?.stdout, !stdout.isEmpty { lines.append(trimmed(stdout)) }
                if let stderr = sample.reply?.stderr, !stderr.isEmpty {
                    lines.append(
                        trimmed(stderr).split(separator: "\n", omittingEmptySubsequences: false)
                            .map { "stderr: " + $0 }.joined(separator: "\n"))
                }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `ok, exit 0`, `failed, exit 3`, `failed: retries used up`.
    private func headline(_ outcome: NodeOutcome) -> String {
        var parts = [outcome.kind.rawValue]
        if let code = outcome.reply?.exitCode { parts.append("exit \(code)") }
        if outcome.kind == .failed, let error = outcome.reply?.error ?? outcome.lastError, !error.isEmpty {
            parts.append(error)
        }
        return parts.joined(separator: ", ")
    }

    private func trimmed(_ text: String) -> String {
        text.hasSuffix("\n") ? String(text.dropLast()) : text
    }

    struct Row: Encodable {
        var operation: String
        var node: String
        var id: String
        /// ok, failed, rejected, expired, waiting, notSent.
        var outcome: String
        var state: String?
        var status: String?
        var exitCode: Int32?
        var stdout: String?
        var stderr: String?
        var error: String?
        var notConnected: Bool
    }

    private func row(_ outcome: NodeOutcome) -> Row {
        Row(
            operation: operation, node: outcome.node, id: outcome.id, outcome: outcome.kind.rawValue,
            state: outcome.state?.rawValue, status: outcome.reply?.status.rawValue, exitCode: outcome.reply?.exitCode,
            stdout: outcome.reply?.stdout, stderr: outcome.reply?.stderr,
            error: outcome.reply?.error ?? (outcome.kind == .ok ? nil : outcome.lastError), notConnected: outcome.away)
    }
}
