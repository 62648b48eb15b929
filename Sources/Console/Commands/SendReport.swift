import ArgumentParser
import Foundation
import Shared

/// What `bosun send` prints and exits with once its wait is over.
struct SendReport {
    var ending: SendWait.Ending
    /// --timeout, to name it when it ended the wait.
    var timeout: Double?
    var dataDirectory: String
    /// Whether an engine goes on carrying what is still queued after `send` ends.
    var engineStaysRunning: Bool

    /// One message: a final one's result as if the command ran here; one still on its way, why `send` stopped
    /// waiting and what becomes of it.
    func single(_ record: OutboxRecord?, id: String, node: String) throws {
        guard let record, record.state.isFinal else {
            return try unfinished(record, id: id, node: node)
        }
        switch record.state {
        case .acked:
            if let reply = record.reply { try printResult(reply, record: record) }
        case .rejected:
            FileHandle.standardError.write(
                "bosun: \(node) rejected message \(id): \(record.reply?.error ?? record.lastError ?? "no reason given")\n"
            )
            throw ExitCode(ExitStatus.rejected)
        case .failed, .expired, .cancelled:
            FileHandle.standardError.write(
                "bosun: message \(id) to \(node) \(record.state.rawValue): \(record.lastError ?? "")\n")
            throw ExitCode(ExitStatus.tempFail)
        case .sent, .queued, .sending, .inProgress:
            print(id)
        }
    }

    private func unfinished(_ record: OutboxRecord?, id: String, node: String) throws {
        let away = record.map(Outbox.isWaitingForNode) ?? false
        let fate =
            record == nil
            ? "waits in \(dataDirectory)/inbox/ for the engine"
            : record?.state == .inProgress ? "is running on \(node)" : "stays queued"
        switch ending {
        case .settled:
            print(id)
            if away {
                FileHandle.standardError.write("bosun: node \(node) is not connected; message \(id) stays queued\n")
            }
            stillQueuedNotice()
        case .noResponders:
            FileHandle.standardError.write(
                "bosun: no responders: node \(node) is not connected to NATS; message \(id) stays queued (--fail-fast)\n"
            )
            stillQueuedNotice()
            throw ExitCode(ExitStatus.unavailable)
        case .timedOut:
            let why = away ? " (\(node) is not connected, attempt \(record?.attempts ?? 0))" : ""
            FileHandle.standardError.write(
                "bosun: stopped waiting after \(Self.seconds(timeout ?? 0)) (--timeout): message \(id) to \(node) \(fate)\(why)\n"
            )
            stillQueuedNotice()
            throw ExitCode(ExitStatus.tempFail)
        case .interrupted:
            FileHandle.standardError.write("bosun: interrupted: message \(id) to \(node) \(fate)\n")
            stillQueuedNotice()
            throw ExitCode(ExitStatus.interrupted)
        }
    }

    /// Says who carries what is still queued: the running engine, or nobody until one is started.
    func stillQueuedNotice() {
        if engineStaysRunning {
            FileHandle.standardError.write(
                "bosun: the bosun engine running on \(dataDirectory) keeps retrying it (bosun messages shows it)\n")
        } else {
            FileHandle.standardError.write(
                "bosun: no bosun engine runs on \(dataDirectory), so nothing carries it until one does: "
                    + "run bosun --headless --data-dir \(dataDirectory) (deploy/bosun-central.service runs it as a "
                    + "systemd service), or the console\n")
        }
    }

    private func printResult(_ reply: Reply, record: OutboxRecord) throws {
        if record.message.method == .ping, reply.status == .ok {
            let started = record.message.createdAt ?? record.updatedAt
            print(
                "pong from \(reply.fromNode) in \(String(format: "%.1f", record.updatedAt.seconds(since: started) * 1000)) ms"
            )
            return
        }
        if let stdout = reply.stdout, !stdout.isEmpty { FileHandle.standardOutput.write(stdout) }
        if let stderr = reply.stderr, !stderr.isEmpty { FileHandle.standardError.write(stderr) }
        if reply.status != .ok {
            FileHandle.standardError.write("bosun: \(reply.fromNode): \(reply.status.rawValue): \(reply.error ?? "")\n")
        }
        let code = reply.exitCode ?? (reply.status == .ok ? 0 : 1)
        if code != 0 { throw ExitCode(code) }
    }

    /// `30 s`, `1.5 s`.
    static func seconds(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value)) s" : "\(value) s"
    }
}
