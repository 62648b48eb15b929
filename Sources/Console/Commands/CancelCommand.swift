import ArgumentParser
import Foundation
import Shared

/// `bosun cancel ID`: withdraws a message that is not final yet, or every such message of an operation.
struct CancelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel", abstract: "Cancel a message still queued or on its way, or all of an operation's.",
        discussion: """
            ID is a message's id, or an operation's (a fan-out or rollout: the id bosun send prints; its messages
            are listed in <data-dir>/operations.jsonl). Done by the engine that carries the messages: the one
            running on the data directory (console or --headless), or one this command starts for the purpose
            (it then needs NATS, like send). Exit 0 when it cancelled (for an operation: any of its messages);
            1 when there was nothing left to cancel or the id is unknown.
            """)

    @OptionGroup var node: NodeOptions
    @Argument(help: "The message's id (bosun messages lists them), or an operation's.") var id: String

    func run() async throws {
        let configuration = try CentralNode.configuration(node, name: "bosun cancel")
        let carrier = try await SendCarrier.start(configuration, connectTimeout: node.connectTimeout)
        let operation =
            try carrier.store.outboxRecord(id: id) == nil
            ? OperationLog(dataDirectory: configuration.dataDirectory).entries().last { $0.id == id } : nil
        let ids = operation?.messages.map(\.id) ?? [id]
        let answers = try await EngineControl.request(.cancel, ids: ids, carrier: carrier)
        if case .own(let runtime) = carrier { await runtime.connection.close() }
        if let operation {
            let cancelled = answers.filter(\.done).count
            print(
                "cancelled \(cancelled) of the \(ids.count) messages of operation \(operation.id) (the others were final)"
            )
            if cancelled == 0 { throw ExitCode(1) }
            return
        }
        guard answers[0].done else {
            FileHandle.standardError.write("bosun: \(answers[0].text)\n")
            throw ExitCode(1)
        }
        print(answers[0].text)
    }
}
