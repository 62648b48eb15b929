/// `--mailbox jetstream`: what every node sent through the mailbox stream and what it was answered, read from the
/// servers: so a console on any data directory (a fresh one, another operator's) shows every message, its state and
/// its output.
public enum MailboxHistory {
    /// Every message kept in the mailbox stream, oldest first, as the outbox record a sender would have: `acked`
    /// (or `rejected`) with its answer once the results stream has one, else `queued`.
    public static func records(_ js: JetStream) async throws -> [OutboxRecord] {
        let sent = try await readAll(js, stream: MailboxSubjects.mailboxStream, subject: MailboxSubjects.mailboxPrefix + ">")
        let answers = try await readAll(js, stream: MailboxSubjects.resultsStream, subject: MailboxSubjects.resultsPrefix + ">")
        var replies: [String: Reply] = [:]
        for answer in answers {
            if let id = MailboxResults.messageID(of: answer.subject), let reply = try? Reply.decode(answer.payload) {
                replies[id] = reply
            }
        }
        return sent.compactMap { stored in
            guard let message = try? Message.decode(stored.payload), let id = message.id else { return nil }
            let reply = replies[id]
            let state: OutboxState = reply.map { $0.status == .rejected ? .rejected : .acked } ?? .queued
            return OutboxRecord(
                sequence: Int64(stored.streamSequence), message: message, state: state, reply: reply,
                updatedAt: reply?.finishedAt ?? message.createdAt ?? .now)
        }
    }

    /// Merges the records of a sender's own outbox (`local`, newest first) with the servers' (`shared`): a message
    /// in both shows the local record unless only the servers have its final answer. Newest first.
    public static func merge(local: [OutboxRecord], shared: [OutboxRecord]) -> [OutboxRecord] {
        let sharedByID = Dictionary(shared.map { ($0.id, $0) }, uniquingKeysWith: { _, last in last })
        let localIDs = Set(local.map(\.id))
        let mine = local.map { record in
            guard !record.state.isFinal, let kept = sharedByID[record.id], kept.state.isFinal else { return record }
            var answered = record
            answered.state = kept.state
            answered.reply = kept.reply
            answered.updatedAt = kept.updatedAt
            return answered
        }
        let others = shared.filter { !localIDs.contains($0.id) }.reversed()
        // Newest first by acceptance time; the stream's order among messages accepted in the same instant.
        return (mine + others).enumerated().sorted { left, right in
            let (l, r) = (left.element.message.createdAt, right.element.message.createdAt)
            if let l, let r, l != r { return l > r }
            return left.offset < right.offset
        }.map(\.element)
    }

    /// Every message of `stream` on `subject` kept now, in stream order; none when the stream does not exist.
    static func readAll(_ js: JetStream, stream: String, subject: String) async throws -> [JetStreamMessage] {
        guard let state = try await state(js, stream: stream) else { return [] }
        guard state.messages > 0 else { return [] }
        let reader = try await js.orderedReader(stream: stream, subject: subject, after: 0)
        // Should the last messages expire while being read, the reader would wait for more for ever: it is stopped
        // after a time generous for the stream's size.
        let watchdog = Task {
            try await Task.sleep(for: .seconds(30 + Double(state.messages) / 1000))
            reader.stop()
        }
        defer {
            watchdog.cancel()
            reader.stop()
        }
        var messages: [JetStreamMessage] = []
        for await message in reader {
            messages.append(message)
            if message.pending == 0 || message.streamSequence >= state.lastSequence { break }
        }
        return messages
    }

    /// The stream's state; nil when it does not exist.
    static func state(_ js: JetStream, stream: String) async throws -> JetStreamStreamState? {
        let result: Result<JetStreamStreamState, JetStreamError>
        do {
            result = .success(try await js.streamState(stream))
        } catch {
            result = .failure(error)
        }
        switch result {
        case .success(let state): return state
        case .failure(let error) where error.code == .notFound: return nil
        case .failure(let error): throw error
        }
    }
}
