import ArgumentParser
import Foundation
import Shared

/// `bosun retry ID`: tries a waiting message again now, and waits for it as `send` does.
struct RetryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retry", abstract: "Try a queued message again now, and wait for its result as send does.",
        discussion: """
            Done by the engine that carries the message: the one running on the data directory (console or
            --headless), or one this command starts for the purpose. Then it waits (--wait, --timeout, --fail-fast)
            and prints the result with send's exit codes. A final message is not sent again: bosun replay ID sends
            a copy under a new id (exit 1).
            """)

    @OptionGroup var node: NodeOptions
    @OptionGroup(title: "Waiting") var waiting: WaitOptions
    @Argument(help: "The message's id (bosun messages lists them).") var id: String

    func run() async throws {
        let started = ContinuousClock.now
        let configuration = try CentralNode.configuration(node, name: "bosun retry")
        let carrier = try await SendCarrier.start(configuration, connectTimeout: node.connectTimeout)
        guard let record = try carrier.store.outboxRecord(id: id) else {
            throw ValidationError("no message \(id) in the outbox of \(configuration.dataDirectory)")
        }
        if case .running = carrier {
            let answer = try await EngineControl.request(.retry, id: id, carrier: carrier)
            guard answer.done else {
                FileHandle.standardError.write("bosun: \(answer.text)\n")
                throw ExitCode(1)
            }
        } else if record.state.isFinal {
            // This process's engine starts by resuming every unfinished message: no request needed for those.
            FileHandle.standardError.write(
                "bosun: message \(id) is \(record.state.rawValue) already; bosun replay \(id) sends a copy under a new id\n"
            )
            throw ExitCode(1)
        }
        let (ending, records) = try await carrier.waitWithProgress(ids: [id], waiting.sendWait(started: started))
        let report = SendReport(
            ending: ending, timeout: waiting.timeout, dataDirectory: configuration.dataDirectory,
            engineStaysRunning: carrier.engineStaysRunning)
        try report.single(records.first ?? record, id: id, node: record.message.toNode ?? "")
    }
}
