import Logging

/// `--mailbox jetstream`, sending side: every accepted message that wants an ACK goes into its receiver's mailbox
/// stream as the bytes the outbox stored, under its id (`Nats-Msg-Id`), in acceptance order. Once the stream has
/// acknowledged it, the message is safe even if this machine is lost. The outbox still delivers it directly meanwhile; the
/// receiver runs it once whichever way it comes first.
final class MailboxPublisher: Sendable {
    /// A header naming the subject the message travels on (`bosun.<node>.<method>.<type>`) for the relay.
    static let subjectHeader = "Bosun-Subject"
    /// A header marking a message kept in the mailbox after its receiver had answered it: not to be handed over.
    static let answeredHeader = "Bosun-Answered"

    private let queue = Mailbox<OutboxRecord>()
    /// This node's keys: a message stored without a signature (accepted before the node took `--mailbox jetstream`,
    /// or waiting across a key rotation) is signed as it goes into the mailbox, where no lane makes it a MAC.
    private let keys: KeyRing?
    private let logger: Logger

    init(keys: KeyRing?, logger: Logger) {
        self.keys = keys
        self.logger = logger
    }

    /// Queues records just accepted, in acceptance order.
    func enqueue(_ records: [OutboxRecord]) {
        for record in records { queue.deliver(record) }
    }

    /// Publishes what the outbox still holds (a restart may have cut off publishing), then each record queued.
    func run(_ js: JetStream, store: Store) async throws {
        let pending = try store.outboxRecords(states: Set(OutboxState.unfinished), limit: Int(Int32.max))
        for record in pending.reversed() { try await publish(record, js, store: store) }
        while let record = await queue.receive() {
            try await publish(record, js, store: store)
        }
    }

    private func publish(_ record: OutboxRecord, _ js: JetStream, store: Store) async throws {
        // A message that wants no ACK is sent once and never stored by its receiver: the mailbox would be a second
        // delivery the receiver cannot recognise, so it stays fire-and-forget.
        guard let node = record.message.toNode, let subject = record.message.subject, subject.messageType.wantsACK
        else { return }
        guard let stored = try store.outgoing(sequence: record.sequence) else {
            // Answered directly before it came to be published (only unfinished messages keep their bytes).
            if let answered = try store.outboxRecord(id: record.id), answered.state.isFinal {
                try await keep(answered, node: node, js)
            }
            return
        }
        // The bytes and signature stored at accept, as a lane publishes them: the receiver checks the same headers.
        // Stored without one, signed by the key that accepted it (``KeyRing/key(accepting:)``).
        var headers = [Self.subjectHeader: subject.description]
        if let signature = stored.signature
            ?? keys?.key(accepting: stored).signature(subject: stored.subject, payload: stored.payload)
        {
            headers[WireSignature.keyHeader] = signature.key
            headers[WireSignature.valueHeader] = signature.value
        }
        let ack = try await js.publish(
            MailboxSubjects.mailbox(node: node, id: record.id), payload: stored.payload,
            messageID: record.id, headers: headers, retryFor: .seconds(3600))
        logger.debug(
            "safe in the mailbox stream",
            metadata: ["id": "\(record.id)", "node": "\(node)", "sequence": "\(ack.sequence)"])
    }

    /// A message its receiver answered before it reached the mailbox goes there as a record only (marked
    /// ``answeredHeader``, which receivers step over), with its answer in the results stream: so every console
    /// on the servers shows it, as it shows the ones that went through the mailbox.
    private func keep(_ answered: OutboxRecord, node: String, _ js: JetStream) async throws {
        try await js.publish(
            MailboxSubjects.mailbox(node: node, id: answered.id), payload: answered.message.encoded(),
            messageID: answered.id, headers: [Self.answeredHeader: answered.state.rawValue], retryFor: .seconds(3600))
        guard let reply = answered.outcome, let sender = answered.message.fromNode else { return }
        try await MailboxResults.publish(reply, sender: sender, id: answered.id, js)
    }
}
