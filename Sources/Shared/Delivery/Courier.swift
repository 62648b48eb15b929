/// Carries one accepted message to its node: publishes it, waits for the ACK, and retries with backoff
/// until the ACK, the retry bound or the ttl. NACK types are published once.
public struct Courier: Sendable {
    /// What happens along the way, for journals, screens and progress lines.
    public enum Event: Sendable, Equatable {
        /// Attempt `n` (1-based) was published.
        case attempt(Int)
        /// The receiver is still running the message; the wait goes on without using up an attempt.
        case inProgress
        /// Nobody is subscribed to the node's subject: it is not connected. Counts as a failed attempt.
        case noResponders(attempt: Int)
        /// No answer within `ackTimeout`.
        case timedOut(attempt: Int)
        /// The next attempt comes after this wait.
        case retrying(after: Duration)
    }

    /// How the delivery ended.
    public enum Outcome: Sendable, Equatable {
        /// The receiver answered with a final status (ok, error, interrupted): the message arrived.
        case acked(Reply)
        /// The receiver refused it; retrying will not help.
        case rejected(Reply)
        /// Published once, no ACK expected (NACK types).
        case published
        /// The retry bound was used up.
        case failed(String)
        /// The ttl passed.
        case expired(String)
    }

    private let connection: NATSConnection
    private let retryWaitCap: Double
    private let now: @Sendable () -> Timestamp

    public init(
        connection: NATSConnection, retryWaitCap: Double = DeliveryDefaults.standard.retryWaitCap,
        now: @escaping @Sendable () -> Timestamp = { .now }
    ) {
        self.connection = connection
        self.retryWaitCap = retryWaitCap
        self.now = now
    }

    /// Delivers `message` (accepted: it has an id, a destination and its defaults), starting at attempt
    /// `firstAttempt` (more than 1 when resuming after a restart). `observe` sees every event and may end the
    /// delivery by throwing.
    public func deliver(
        _ message: Message, firstAttempt: Int = 1,
        observe: @Sendable (Event) async throws -> Void = { _ in }
    ) async throws -> Outcome {
        guard let subject = message.subject?.description else { return .failed("message has no destination") }
        let payload = message.encoded()
        guard message.effectiveType.wantsACK else {
            try connection.publish(subject, payload: payload)
            try await observe(.attempt(firstAttempt))
            return .published
        }
        let inbox = try connection.makeInbox()
        defer { inbox.close() }
        let ackTimeout = Duration.seconds(message.ackTimeout ?? DeliveryDefaults.standard.ackTimeout)
        let retries = message.retries ?? 0
        let backoff = Backoff(initial: message.retryWait ?? DeliveryDefaults.standard.retryWait, cap: retryWaitCap)
        let expiresAt = message.expiresAt
        var attempt = firstAttempt
        while true {
            if let expiresAt, now() >= expiresAt {
                return .expired("ttl of \(Int(message.ttl ?? 0)) s passed after \(attempt - 1) attempts")
            }
            try connection.publish(subject, payload: payload, replyTo: inbox.subject)
            try await observe(.attempt(attempt))
            var nobodyListening = false
            while let answer = await inbox.next(timeout: ackTimeout) {
                if answer.isNoResponders {
                    nobodyListening = true
                    try await observe(.noResponders(attempt: attempt))
                    break
                }
                guard let reply = try? Reply.decode(answer.payload), reply.id == message.id else { continue }
                switch reply.status {
                case .inProgress:
                    try await observe(.inProgress)
                    continue
                case .rejected:
                    return .rejected(reply)
                case .ok, .error, .interrupted:
                    return .acked(reply)
                }
            }
            try Task.checkCancellation()
            if !nobodyListening { try await observe(.timedOut(attempt: attempt)) }
            if retries > 0, attempt > retries {
                return .failed("no ACK after \(attempt) attempts")
            }
            var wait = backoff.delay(afterAttempt: attempt)
            if let expiresAt {
                let left = Duration.seconds(max(0, expiresAt.seconds(since: now())))
                if left < wait { wait = left }
            }
            try await observe(.retrying(after: wait))
            try await Task.sleep(for: wait)
            attempt += 1
        }
    }
}
