import Logging
import Synchronization

/// `--mailbox jetstream`, receiving side: reads this node's mailbox in stream order from its place and hands
/// each message to the node's own receiver over NATS (the same subject, payload and signature headers a sender
/// uses), so admission, dedup and answering stay in one place. The place moves over a message only once the
/// receiver's final answer has come, which it sends after the dedup record and the result are durable, and that
/// answer is kept in the results stream (``MailboxResults``); a message read again after a crash is answered from
/// the stored result, never run twice.
final class MailboxRelay: Sendable {
    private let node: String
    private let places: MailboxPlaceStore
    private let logger: Logger
    /// Messages handed over and not answered yet, at most.
    private let window: Int
    /// How long to wait for an answer before handing the message over again.
    private let answerWait: Duration
    /// How old a mailbox message must be before it is handed over: while its sender is up, the message comes
    /// directly first and the handover only fetches the stored answer (a copy handed over while the direct one
    /// runs would make the sender wait an ACK timeout for its answer).
    private let handoverAge: Duration
    private let cursor = Mutex(MailboxCursor())

    init(
        node: String, places: MailboxPlaceStore, logger: Logger, window: Int, answerWait: Duration = .seconds(10),
        handoverAge: Duration = .seconds(15)
    ) {
        self.node = node
        self.places = places
        self.logger = logger
        self.window = window
        self.answerWait = answerWait
        self.handoverAge = handoverAge
    }

    func run(_ js: JetStream) async throws {
        let stream = MailboxSubjects.mailboxStream
        let place = try places.place(stream: stream)
        cursor.withLock { $0 = MailboxCursor(handledThrough: place) }
        let reader = try await js.orderedReader(stream: stream, subject: MailboxSubjects.mailbox(node: node), after: place)
        defer { reader.stop() }
        logger.info("reading the mailbox", metadata: ["stream": "\(stream)", "after": "\(place)"])
        let slots = Capacity(window)
        try await withThrowingDiscardingTaskGroup { group in
            for await message in reader {
                let sequence = message.streamSequence
                guard self.cursor.withLock({ $0.delivered(sequence) }) else { continue }
                if message.headers[MailboxPublisher.answeredHeader] != nil {
                    // Answered before it reached the mailbox: kept there as a record only, nothing to run.
                    try stepOver(sequence, stream: stream)
                    continue
                }
                guard let subject = Handover.subject(of: message) else {
                    // Not published by a Bosun node (no subject to hand it to): nothing to run, so step over it.
                    logger.warning("skipping a mailbox message without a valid \(MailboxPublisher.subjectHeader) header",
                        metadata: ["subject": "\(message.subject)", "sequence": "\(sequence)"])
                    try stepOver(sequence, stream: stream)
                    continue
                }
                await slots.acquire()
                try await waitUntilOld(message)
                // Handed over here, in stream order; answers are awaited concurrently.
                let handover = try Handover(message, subject: subject, connection: js.connection)
                group.addTask {
                    defer { slots.release() }
                    // Cancelled (the reader failed, or the node stops) before the answer came: the place must not
                    // move over it, so that it is handed over again after the restart.
                    guard let outcome = await handover.awaitAnswer(wait: self.answerWait) else { return }
                    if case .answered(let answer) = outcome {
                        try await MailboxResults.keep(answer, to: message, js, logger: self.logger)
                    }
                    try self.stepOver(sequence, stream: stream)
                }
            }
        }
    }

    /// Waits until `message` has been in the stream for ``handoverAge`` (at most that long, whatever the clocks).
    private func waitUntilOld(_ message: JetStreamMessage) async throws {
        let age = Duration.nanoseconds(Timestamp.now.millisecondsSinceEpoch * 1_000_000 - message.storedAtNanoseconds)
        guard message.storedAtNanoseconds > 0, age < handoverAge else { return }
        try await Task.sleep(for: min(handoverAge, handoverAge - age))
    }

    /// Records message `sequence` handled, and stores the place when it moved.
    private func stepOver(_ sequence: UInt64, stream: String) throws {
        guard let moved = cursor.withLock({ $0.handled(sequence) }) else { return }
        try places.advance(stream: stream, to: moved)
    }
}

/// One mailbox message handed to the receiver, and its answer awaited.
private struct Handover: Sendable {
    let subject: String
    let payload: [UInt8]
    let headers: [String: String]
    let wantsAnswer: Bool
    let inbox: ReplyInbox?
    let connection: NATSConnection

    /// The subject a mailbox message travels on to its receiver, from the header its publisher set.
    static func subject(of message: JetStreamMessage) -> Subject? {
        message.headers[MailboxPublisher.subjectHeader].flatMap { Subject(parsing: $0) }
    }

    init(_ message: JetStreamMessage, subject parsed: Subject, connection: NATSConnection) throws(TransportError) {
        subject = parsed.description
        payload = message.payload
        // The sender's own headers (its signature) go on unchanged; the stream's and the relay's stay behind.
        headers = message.headers.filter { !$0.key.hasPrefix("Nats-") && $0.key != MailboxPublisher.subjectHeader }
        wantsAnswer = parsed.messageType.wantsACK
        self.connection = connection
        inbox = wantsAnswer ? try connection.makeInbox() : nil
        try send()
    }

    private func send() throws(TransportError) {
        try connection.publish(subject, payload: payload, replyTo: inbox?.subject, carrying: headers)
    }

    /// How a handover ended.
    enum Outcome {
        /// The message wants no answer: handed over, it is done.
        case handedOver
        /// Its final answer (not `inProgress`).
        case answered(Reply)
    }

    /// Waits for a final answer, handing the message over again after each `wait` without one; nil when cancelled
    /// before it came (the message is not done).
    func awaitAnswer(wait: Duration) async -> Outcome? {
        guard let inbox else { return .handedOver }
        defer { inbox.close() }
        var assembly = ReplyAssembly()
        while !Task.isCancelled {
            guard let answer = await inbox.next(timeout: wait) else {
                try? send()
                continue
            }
            let reply = ReplyChunk.decode(answer.payload).flatMap { assembly.add($0) } ?? (try? Reply.decode(answer.payload))
            if let reply, reply.status.isFinal { return .answered(reply) }
        }
        return nil
    }
}
