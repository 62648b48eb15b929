import ArgumentParser
import Foundation
import Shared

/// `bosun cancel ID`: withdraws a message that is not final yet.
struct CancelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel", abstract: "Cancel a message that is still queued or on its way.",
        discussion: """
            Done by the engine that carries the message: the one running on the data directory (console or
            --headless), or one this command starts for the purpose (it then needs NATS, like send).
            Exit 0 cancelled; 1 the message is final already or unknown.
            """)

    @OptionGroup var node: NodeOptions
    @Argument(help: "The message's id (bosun messages lists them).") var id: String

    func run() async throws {
        let configuration = try CentralNode.configuration(node, name: "bosun cancel")
        let carrier = try await SendCarrier.start(configuration, connectTimeout: node.connectTimeout)
        let answer = try await EngineControl.request(.cancel, id: id, carrier: carrier)
        if case .own(let runtime) = carrier { await runtime.connection.close() }
        guard answer.done else {
            FileHandle.standardError.write("bosun: \(answer.text)\n")
            throw ExitCode(1)
        }
        print(answer.text)
    }
}
