import Shared
import Synchronization

/// A transport that keeps what is published and lets the test answer it: no NATS, for unit tests of delivery.
final class InMemoryTransport: Transport {
    struct Publish: Sendable {
        var subject: String
        var payload: [UInt8]
        var replyTo: String?
        var signature: WireSignature?
        /// The message's id, read from the payload.
        var id: String { (try? Message.decode(payload).id ?? "") ?? "" }
    }

    private struct State {
        var published: [Publish] = []
        var deliver: (@Sendable (NATSMessage) -> Void)?
    }

    private let state = Mutex(State())

    var published: [Publish] { state.withLock { $0.published } }
    var isSubscribed: Bool { state.withLock { $0.deliver != nil } }

    func publish(_ subject: String, payload: [UInt8], replyTo: String?, signature: WireSignature?) throws(TransportError) {
        state.withLock {
            $0.published.append(Publish(subject: subject, payload: payload, replyTo: replyTo, signature: signature))
        }
    }

    func subscribeReplies(_ deliver: @escaping @Sendable (NATSMessage) -> Void) throws(TransportError) -> ReplySubscription {
        state.withLock { $0.deliver = deliver }
        return ReplySubscription(prefix: "_INBOX.test") {}
    }

    /// The key the answering node signs its ACKs with.
    let nodeKey = NodeKey()

    /// Answers `publish` with an ACK of `status` from `node`, signed as a real node signs it; `takesMACs`: saying
    /// the node takes messages with a MAC (header `Bosun-Mac-Messages`); `takesBatches`: batches of them
    /// (`Bosun-Ack-Batch`).
    func ack(
        _ publish: Publish, from node: String = "edge", status: Reply.Status = .ok, takesMACs: Bool = false,
        takesBatches: Bool = false
    ) {
        let reply = nodeKey.sign(Reply(id: publish.id, fromNode: node, status: status))
        var message = NATSMessage(subject: publish.replyTo ?? "", payload: reply.encoded())
        message.takesMACMessages = takesMACs
        message.speaksBatches = takesBatches
        answer(publish, message)
    }

    /// Answers `publish` (a message or a batch of them) as a node refuses it before reading it, for `reason`: signed,
    /// naming no id.
    func refuse(_ publish: Publish, from node: String = "edge", reason: String) {
        let reply = nodeKey.sign(Reply(id: "", fromNode: node, status: .rejected, error: reason))
        answer(publish, NATSMessage(subject: publish.replyTo ?? "", payload: reply.encoded()))
    }

    /// Answers `publish` with `payload` as it is (a piece of a long answer, say).
    func answer(_ publish: Publish, payload: [UInt8]) {
        answer(publish, NATSMessage(subject: publish.replyTo ?? "", payload: payload))
    }

    /// Answers `publish` with an unsigned ACK: one the sender does not believe.
    func ackUnsigned(_ publish: Publish) {
        let reply = Reply(id: publish.id, fromNode: "edge", status: .ok)
        answer(publish, NATSMessage(subject: publish.replyTo ?? "", payload: reply.encoded()))
    }

    /// Answers `publish` the way the server does when nobody is subscribed to its subject.
    func noResponders(_ publish: Publish) {
        answer(publish, NATSMessage(subject: publish.replyTo ?? "", payload: [], isNoResponders: true))
    }

    private func answer(_ publish: Publish, _ message: NATSMessage) {
        let deliver = state.withLock { $0.deliver }
        deliver?(message)
    }
}
