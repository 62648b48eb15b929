import Logging

/// Answering: the ACK journaled, audited, reported when it is an error, and sent signed or with a MAC.
extension Receiver {
    /// Journals, audits and sends the answer; `received` is the message's `received` line when not journaled yet.
    func answer(
        _ message: Message, id: String, reply: Reply, replyTo: String?, asker: String?, received: Journal.Entry? = nil
    ) {
        let answered = Journal.Entry(event: .answered, id: id, node: message.fromNode, reply: reply)
        journal.append(received.map { [$0, answered] } ?? [answered])
        audit?.record(message, reply: reply)
        if reply.status == .error {
            errors.report(ErrorRecord(node: context.node, kind: .handler, messageId: id, method: message.method.rawValue,
                toNode: context.node, error: "\(message.method) on \(context.node): \(reply.error ?? "failed")"))
        }
        // Answer on the newest reply subject: a retry that came while this ran may carry a fresher one.
        let retried = retriedWhileRunning.withLock { $0.remove(id) != nil }
        let latest = retried ? ((try? store.receivedReplyTo(id: id)) ?? replyTo) : replyTo
        send(reply, to: latest, asker: asker)
    }

    /// Refuses a message: counted into the error log (one line per sender, subject and reason an interval, see
    /// ``RefusalLog``), nothing stored, and answered with the reason. The central node answers no refusal: a real
    /// node's outbox keeps what was refused (before its approval, say) and sends it again.
    func refuse(_ inbound: NATSMessage, id: String, _ refusal: TrustPolicy.Refusal, fromNode: String?) {
        let sender =
            fromNode.map { "node \($0)" }
            ?? inbound.signature.map { "key \(NodeKey.fingerprint(of: $0.key) ?? "(not a key)")" } ?? "an unsigned sender"
        refusals.refused(sender: sender, subject: inbound.subject, refusal)
        guard !trust.pinsNodes else { return }
        send(Reply(id: id, fromNode: context.node, status: .rejected, error: refusal.reason), to: inbound.replyTo)
    }

    /// Sends `reply`, signed, or with a MAC for `asker` (the key that signed the message, when it offers that).
    func send(_ reply: Reply, to replyTo: String?, asker: String? = nil) {
        guard let replyTo else { return }
        let current = key?.current
        let reply = asker.flatMap { current?.authenticate(reply, for: $0) } ?? current?.sign(reply) ?? reply
        do {
            for piece in ReplyChunk.split(reply, maxPayload: connection.maxPayload) {
                try connection.publish(replyTo, payload: piece)
            }
        } catch {
            logger.warning("could not send the ACK", metadata: ["id": "\(reply.id)", "error": "\(error)"])
        }
    }
}
