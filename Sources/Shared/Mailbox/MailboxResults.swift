import Logging

/// `--mailbox jetstream`, answering side: each final answer to a mailbox message is kept in the results stream
/// (`BOSUN_RESULTS`, `bosun.results.<sender>.<id>`, for keep-results), as well as going straight back to its
/// sender: a console started anywhere against the servers reads it there (``MailboxHistory``).
enum MailboxResults {
    /// Keeps `reply`, the final answer to the mailbox message `message`, in the results stream under the message's
    /// id (a second copy, after a crash, is the same message to the stream). A message whose sender cannot be read
    /// from its bytes was not published by a Bosun node and has no place there.
    static func keep(_ reply: Reply, to message: JetStreamMessage, _ js: JetStream, logger: Logger) async throws {
        guard let sent = try? Message.decode(message.payload), let sender = sent.fromNode, let id = sent.id else {
            logger.warning("not keeping the answer to a mailbox message without a sender or an id",
                metadata: ["subject": "\(message.subject)", "sequence": "\(message.streamSequence)"])
            return
        }
        try await publish(reply, sender: sender, id: id, js)
    }

    /// Publishes `reply` as the answer to `sender`'s message `id`.
    static func publish(_ reply: Reply, sender: String, id: String, _ js: JetStream) async throws {
        try await js.publish(
            MailboxSubjects.result(sender: sender, id: id), payload: fitted(reply), messageID: id,
            retryFor: .seconds(60))
    }

    /// An answer kept in the stream is at most this big (a message must fit the servers' `max_payload`, 1 MB).
    static let maxBytes = 512 * 1024

    /// The answer's bytes; a bigger one keeps the start of its output (`truncated`, unsigned, since its signature or
    /// MAC covered the whole): the sender that was there has the whole answer.
    static func fitted(_ reply: Reply) -> [UInt8] {
        let bytes = reply.encoded()
        guard bytes.count > maxBytes else { return bytes }
        var cut = reply
        let room = maxBytes / 2 - 4096
        cut.stdout = reply.stdout.map { String(decoding: $0.utf8.prefix(room), as: UTF8.self) }
        cut.stderr = reply.stderr.map { String(decoding: $0.utf8.prefix(room), as: UTF8.self) }
        cut.truncated = true
        cut.signature = nil
        cut.mac = nil
        cut.signedBy = nil
        return cut.encoded()
    }

    /// The id of the message an answer kept in the results stream belongs to: its subject's last token.
    static func messageID(of subject: String) -> String? {
        guard subject.hasPrefix(MailboxSubjects.resultsPrefix), let dot = subject.lastIndex(of: ".") else { return nil }
        return String(subject[subject.index(after: dot)...])
    }
}
