import CNATS
import Synchronization

/// A reply subject of this connection and the answers that arrive on it.
public final class ReplyInbox: Sendable {
    /// The subject to give as `replyTo`.
    public let subject: String
    private let mailbox: Mailbox<NATSMessage>
    private let router: ReplyRouter
    private let token: String

    init(subject: String, token: String, mailbox: Mailbox<NATSMessage>, router: ReplyRouter) {
        self.subject = subject
        self.token = token
        self.mailbox = mailbox
        self.router = router
    }

    deinit { router.remove(token) }

    /// The next answer, or nil if none arrives in time.
    public func next(timeout: Duration) async -> NATSMessage? {
        await mailbox.receive(timeout: timeout)
    }

    /// Stops taking answers.
    public func close() {
        router.remove(token)
        mailbox.close()
    }
}

/// Routes answers arriving on one wildcard inbox subscription (`_INBOX.<id>.*`) to their mailboxes.
final class ReplyRouter: Sendable {
    private struct State {
        var prefix: String?
        var subscription: SubscriptionHandle?
        var mailboxes: [String: Mailbox<NATSMessage>] = [:]
        var counter: UInt64 = 0
    }

    private let handle: ConnectionHandle
    private let state = Mutex(State())

    init(handle: ConnectionHandle) {
        self.handle = handle
    }

    deinit {
        state.withLock { state in
            if let subscription = state.subscription {
                natsSubscription_Unsubscribe(subscription.pointer)
                natsSubscription_Destroy(subscription.pointer)
            }
        }
    }

    func makeInbox(connection: NATSConnection) throws(TransportError) -> ReplyInbox {
        let prefix = try ensureSubscribed(connection: connection)
        let mailbox = Mailbox<NATSMessage>()
        let token = state.withLock { state -> String in
            state.counter += 1
            let token = String(state.counter, radix: 36)
            state.mailboxes[token] = mailbox
            return token
        }
        return ReplyInbox(subject: prefix + "." + token, token: token, mailbox: mailbox, router: self)
    }

    func remove(_ token: String) {
        _ = state.withLock { $0.mailboxes.removeValue(forKey: token) }
    }

    private func route(_ message: NATSMessage) {
        guard let dot = message.subject.lastIndex(of: ".") else { return }
        let token = String(message.subject[message.subject.index(after: dot)...])
        let mailbox = state.withLock { $0.mailboxes[token] }
        mailbox?.deliver(message)
    }

    private func ensureSubscribed(connection: NATSConnection) throws(TransportError) -> String {
        // Creating the subscription under the lock keeps two first requests from making two.
        let result: Result<String, TransportError> = state.withLock { state in
            if let prefix = state.prefix { return .success(prefix) }
            let prefix: String
            let box = MessageBox(deliver: { [weak self] in self?.route($0) }, finish: {})
            do throws(TransportError) {
                prefix = try connection.newInbox()
                state.subscription = try connection.subscribe(prefix + ".*", queue: nil, box: box)
            } catch {
                return .failure(error)
            }
            state.prefix = prefix
            return .success(prefix)
        }
        return try result.get()
    }
}
