import Logging

/// Who asks for an answer with a MAC (``WireSignature/offersMACAnswer``): the key that signed the message, whether
/// it takes batches of ACKs (``ReplyBatch``), and the message's token in the ``MessageBatch`` that brought it, if one
/// did: its answers then go in a batch of ACKs (of one, if need be) that names it.
struct Asker: Sendable {
    /// Empty for ``unsigned(batchToken:)``.
    var key: String
    var takesBatches: Bool
    var batchToken: String? = nil

    /// The sender of a message of a batch, asking a node that signs nothing (`--insecure-sign-nothing`): its
    /// answers go in a batch of ACKs without a MAC.
    static func unsigned(batchToken: String) -> Asker {
        Asker(key: "", takesBatches: true, batchToken: batchToken)
    }
}

/// Answering: the ACK journaled, audited, reported when it is an error, and sent signed or with a MAC (unsigned by a
/// node that signs nothing).
extension Receiver {
    /// The headers of a single ACK to a sender that takes batches: this node takes batches of messages too, and
    /// messages with a MAC instead of a signature (``WireSignature/isMAC``).
    private static let speaksBatches = [
        ReplyBatch.offerHeader: ReplyBatch.offerValue, WireSignature.macMessagesHeader: ReplyBatch.offerValue,
    ]
    /// The header of every single ACK from a node that signs nothing: it takes batches of messages (unsigned).
    private static let takesUnsignedBatches = [ReplyBatch.offerHeader: ReplyBatch.offerValue]

    /// Journals, audits and sends the answer; `received` is the message's `received` line when not journaled yet.
    /// With `gather`, the answer is held to go out with the others of that batch's commit.
    func answer(
        _ message: Message, id: String, reply: Reply, replyTo: String?, asker: Asker?, received: Journal.Entry? = nil,
        gather: ReceiveBatch? = nil
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
        if let gather, let latest, let asker {
            return gather.hold(ReceiveBatch.HeldAnswer(reply: reply, replyTo: latest, asker: asker))
        }
        send(reply, to: latest, asker: asker)
    }

    /// Sends the answers held in one commit: those to the same sender's lane (the same reply subject but for its
    /// last token, and the same asking key) in one ``ReplyBatch`` with one MAC; one with output, or a lone one (but
    /// for a message of a ``MessageBatch``), as a single ACK.
    func sendTogether(_ answers: [ReceiveBatch.HeldAnswer]) {
        var groups: [Substring: [ReceiveBatch.HeldAnswer]] = [:]
        var order: [Substring] = []
        for answer in answers {
            guard answer.reply.fitsBatch, let dot = answer.replyTo.lastIndex(of: ".") else {
                send(answer.reply, to: answer.replyTo, asker: answer.asker)
                continue
            }
            let lane = answer.replyTo[..<dot]
            if groups[lane] == nil { order.append(lane) }
            groups[lane, default: []].append(answer)
        }
        let most = max(2, connection.maxPayload / (ReplyBatch.largestEntry + 64))
        for lane in order {
            // By asking key, which is the same for a lane but after a key rotation.
            var rest = groups[lane] ?? []
            while let asker = rest.first?.asker.key {
                let same = rest.prefix(while: { $0.asker.key == asker }).prefix(most)
                rest.removeFirst(same.count)
                publishBatch(Array(same))
            }
        }
    }

    /// Publishes `answers` (to one lane, one asking key) as one batch, on the reply subject of the first (one the
    /// sender gave this node), with a MAC, or none from a node that signs nothing; a batch of one goes as a single
    /// ACK unless it answers a message of a ``MessageBatch``, and answers this node cannot make a MAC for go as
    /// single ACKs.
    private func publishBatch(_ answers: [ReceiveBatch.HeldAnswer]) {
        let sendEachAlone = { answers.forEach { self.sendAlone($0.reply, to: $0.replyTo, asker: $0.asker) } }
        guard let first = answers.first, answers.count > 1 || first.asker.batchToken != nil else { return sendEachAlone() }
        let payload = ReplyBatch(entries: answers.map { answer in
            let token = answer.asker.batchToken
                ?? answer.replyTo.lastIndex(of: ".").map { String(answer.replyTo[answer.replyTo.index(after: $0)...]) }
            return ReplyBatch.Entry(to: token ?? "", reply: answer.reply)
        }).encoded()
        let headers: [String: String]
        if let current = key?.current {
            guard let mac = current.batchMAC(subject: first.replyTo, payload: payload, for: first.asker.key) else {
                return sendEachAlone()
            }
            headers = [WireSignature.keyHeader: current.publicKey, ReplyBatch.macHeader: mac,
                WireSignature.macMessagesHeader: ReplyBatch.offerValue]
        } else {
            headers = [ReplyBatch.unsignedHeader: ReplyBatch.unsignedValue]
        }
        do {
            try connection.publish(first.replyTo, payload: payload, replyTo: nil, carrying: headers)
        } catch {
            logger.warning("could not send \(answers.count) ACKs", metadata: ["first": "\(first.reply.id)", "error": "\(error)"])
        }
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
        // A message of a batch is answered in a batch of ACKs naming it, under a MAC for the batch's (valid) key, or
        // unsigned from a node that signs nothing: alone, a refusal that cannot name its id would be taken for the
        // batch's first message, whose reply subject it came on.
        let asker = inbound.batchToken.flatMap { token in
            inbound.signature.map { Asker(key: $0.key, takesBatches: true, batchToken: token) }
        } ?? unsignedAsker(inbound)
        send(Reply(id: id, fromNode: context.node, status: .rejected, error: refusal.reason), to: inbound.replyTo, asker: asker)
    }

    /// The asker of a message of a batch when this node signs nothing: its answers go in an unsigned batch of ACKs
    /// that names it (``Asker/unsigned(batchToken:)``); nil otherwise.
    func unsignedAsker(_ inbound: NATSMessage) -> Asker? {
        key == nil ? inbound.batchToken.map(Asker.unsigned) : nil
    }

    /// Sends `reply`, signed, or with a MAC for `asker` (the key that signed the message, when it offers that); to
    /// an asker that takes batches of ACKs, saying that this node takes batches of messages.
    func send(_ reply: Reply, to replyTo: String?, asker: Asker? = nil) {
        guard let replyTo else { return }
        // An answer to a message of a batch goes on the batch's reply subject, naming the message: in a batch of
        // ACKs, or, too big for one, alone (the sender finds its message by id).
        if let asker, asker.batchToken != nil, reply.fitsBatch {
            return publishBatch([ReceiveBatch.HeldAnswer(reply: reply, replyTo: replyTo, asker: asker)])
        }
        sendAlone(reply, to: replyTo, asker: asker)
    }

    /// Sends `reply` as a single ACK.
    private func sendAlone(_ reply: Reply, to replyTo: String, asker: Asker?) {
        let current = key?.current
        let reply = asker.flatMap { current?.authenticate(reply, for: $0.key) } ?? current?.sign(reply) ?? reply
        do {
            for piece in ReplyChunk.split(reply, maxPayload: connection.maxPayload) {
                if current == nil {
                    try connection.publish(replyTo, payload: piece, replyTo: nil, carrying: Self.takesUnsignedBatches)
                } else if asker?.takesBatches == true {
                    try connection.publish(replyTo, payload: piece, replyTo: nil, carrying: Self.speaksBatches)
                } else {
                    try connection.publish(replyTo, payload: piece)
                }
            }
        } catch {
            logger.warning("could not send the ACK", metadata: ["id": "\(reply.id)", "error": "\(error)"])
        }
    }
}
