import ArgumentParser
import Foundation
import Shared

/// `--mailbox jetstream` for the commands that show messages: besides this data directory's outbox, what every
/// node sent through the servers' mailbox stream and the answers in their results stream, so a console on a fresh
/// data directory, or another operator's, shows the whole fleet's messages.
struct MailboxViewOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "outbox: this data directory's messages; jetstream: also every message in the NATS servers' mailbox and results streams.",
        valueName: "mode"))
    var mailbox: MailboxMode = .outbox

    @Option(name: .customLong("mailbox-server"), help: ArgumentHelp(
        "With --mailbox jetstream: NATS server URL(s), comma-separated. Env: BOSUN_SERVER. Default: nats://127.0.0.1:4222.",
        valueName: "url"))
    var server: String?

    @Option(name: .customLong("mailbox-creds"), help: ArgumentHelp(
        "With --mailbox jetstream: NATS credentials file (.creds).", valueName: "file"))
    var creds: String?

    /// The records to show: `local` (newest first, nil when the data directory has no store yet), merged with
    /// the servers' in mailbox mode.
    func records(local: [OutboxRecord]?) async throws -> [OutboxRecord] {
        guard mailbox == .jetstream else { return local ?? [] }
        let servers = (server ?? ProcessInfo.processInfo.environment["BOSUN_SERVER"] ?? "nats://127.0.0.1:4222")
            .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        var configuration = NATSConfiguration(servers: servers)
        configuration.name = "bosun-messages"
        configuration.credentialsFile = creds
        let connection = try await NATSConnection.connect(configuration)
        let shared: [OutboxRecord]
        do {
            shared = try await MailboxHistory.records(try JetStream(connection: connection))
        } catch {
            await connection.close()
            throw error
        }
        await connection.close()
        return MailboxHistory.merge(local: local ?? [], shared: shared)
    }
}
