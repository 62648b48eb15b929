import Shared

/// `--mailbox jetstream`: reads the servers' mailbox and results streams every few seconds (``MailboxHistory``)
/// into the console's feed, so two operators at two consoles see the same fleet's messages and answers.
enum SharedHistory {
    static let interval = Duration.seconds(5)

    static func follow(_ connection: NATSConnection, into feed: ConsoleFeed, flash: @escaping @Sendable (String) -> Void) async {
        var failing = false
        while !Task.isCancelled {
            do {
                feed.takeShared(try await MailboxHistory.records(try JetStream(connection: connection)))
                failing = false
            } catch {
                // Said once, not every few seconds; the outbox's own messages are shown meanwhile.
                if !failing { flash("cannot read the servers' mailbox history: \(error)") }
                failing = true
            }
            try? await Task.sleep(for: interval)
        }
    }
}
