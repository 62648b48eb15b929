/// One message's task, from first attempt to final state.
extension Outbox {
    static let noRespondersMark = "(no responders)"

    static func waitingForNode(_ message: Message) -> String {
        "node \(message.toNode ?? "") is not connected " + noRespondersMark
    }

    /// Whether the message waits because its node is not connected (its last attempt found no responders).
    public static func isWaitingForNode(_ record: OutboxRecord) -> Bool {
        !record.state.isFinal && record.attempts > 0 && (record.lastError?.hasSuffix(noRespondersMark) ?? false)
    }

    private enum Answer {
        case final(Reply)
        case noResponders
        case timedOut
    }

    func carry(_ record: OutboxRecord, lane: Lane, state: DeliveryState) async {
        let message = record.message
        let id = record.id
        let wantsACK = message.effectiveType.wantsACK
        guard let subject = message.subject?.description else {
            await finish(state, .failed, reason: "message has no destination")
            return
        }
        let inbox: ReplyInbox?
        do {
            inbox = wantsACK ? try connection.makeInbox() : nil
        } catch {
            await finish(state, .failed, reason: "cannot make a reply inbox: \(error)")
            return
        }
        defer { inbox?.close() }
        let payload = message.encoded()
        let defaults = configuration.defaults
        let ackTimeout = Duration.seconds(message.ackTimeout ?? defaults.ackTimeout)
        let backoff = Backoff(initial: message.retryWait ?? defaults.retryWait, cap: defaults.retryWaitCap)
        let connection = self.connection

        while true {
            let decision = await lane.turn(sequence: record.sequence) { turn in
                let (decision, attempts) = state.values.withLock { values -> (Lane.Decision, Int) in
                    if turn == .skipped { values.attempts += 1 }
                    if let stop = DeliveryState.stopReason(values, message: message, now: .now) {
                        values.finalReason = stop
                        return (.finished, values.attempts)
                    }
                    guard turn == .publish else { return (.waiting, values.attempts) }
                    // A publish that fails (buffer full while reconnecting) counts as an attempt that timed out.
                    try? connection.publish(subject, payload: payload, replyTo: inbox?.subject)
                    values.attempts += 1
                    return (.published, values.attempts)
                }
                // A failed probe of the node counted for this message too: recorded, so it shows and survives.
                if turn == .skipped, decision == .waiting {
                    self.update(state, .queued, attempts: attempts, lastError: .some(Outbox.waitingForNode(message)))
                }
                return decision
            }
            // Shutting down: the message stays unfinished in the store and resumes on the next start.
            if Task.isCancelled { return }
            guard decision == .published else {
                let (finalState, reason) = state.values.withLock { $0.finalReason } ?? (.failed, "stopped")
                await finish(state, finalState, reason: reason, attempts: state.attempts)
                return
            }
            let attempt = state.attempts
            journal.append(Journal.Entry(event: .attempt, id: id, node: message.toNode, attempt: attempt))
            guard let inbox else {
                await finish(state, .sent, reason: nil, attempts: attempt)
                return
            }
            update(state, .sending, attempts: attempt, nextAttemptAt: .some(nil))

            switch await answer(inbox: inbox, id: id, timeout: ackTimeout, state: state, lane: lane) {
            case .final(let reply):
                await lane.markReachable()
                await finish(state, reply.status == .rejected ? .rejected : .acked, reason: reply.error, reply: reply,
                    attempts: attempt)
                return
            case .noResponders:
                await lane.unreachable(sequence: record.sequence)
                update(state, .queued, attempts: attempt, lastError: .some(Outbox.waitingForNode(message)))
            case .timedOut:
                await lane.markReachable()
                let wait = backoff.delay(afterAttempt: attempt)
                update(state, .queued, attempts: attempt, nextAttemptAt: .some(Timestamp.now.adding(seconds: wait.seconds)),
                    lastError: .some("no ACK within \(ackTimeout.seconds) s"))
                _ = await state.wake.receive(timeout: wait)
            }
            if Task.isCancelled { return }
        }
    }

    private func answer(inbox: ReplyInbox, id: String, timeout: Duration, state: DeliveryState, lane: Lane) async -> Answer {
        var assembly = ReplyAssembly()
        while let answer = await inbox.next(timeout: timeout) {
            if answer.isNoResponders { return .noResponders }
            let whole: Reply?
            if let chunk = ReplyChunk.decode(answer.payload) {
                whole = chunk.chunkOf == id ? assembly.add(chunk) : nil
            } else {
                whole = try? Reply.decode(answer.payload)
            }
            guard let reply = whole, reply.id == id else { continue }
            let node = state.record.withLock { $0.message.toNode } ?? ""
            if let reason = configuration.trust.refusal(ofReply: reply, from: node, pinned: try? store.pinnedKey(node: node)) {
                logger.warning("ignored: \(reason)")
                continue
            }
            guard reply.status == .inProgress else { return .final(reply) }
            await lane.markReachable()
            journal.append(Journal.Entry(event: .inProgress, id: id, node: reply.fromNode))
            update(state, .inProgress)
        }
        return .timedOut
    }

    /// Records progress (sending, inProgress, queued for a retry) without waiting for the commit: losing it in a
    /// crash only means the message is sent again, and the receiver answers that from its record.
    private func update(
        _ state: DeliveryState, _ newState: OutboxState, attempts: Int? = nil, nextAttemptAt: Timestamp?? = nil,
        lastError: String?? = nil
    ) {
        let now = Timestamp.now
        let record = state.record.withLock { record -> OutboxRecord in
            record.apply(newState, attempts: attempts, nextAttemptAt: nextAttemptAt, lastError: lastError, now: now)
            return record
        }
        store.updateOutboxSoon(
            id: record.id, state: newState, attempts: attempts, nextAttemptAt: nextAttemptAt, lastError: lastError, now: now
        ) { [logger] error in
            if let error { logger.error("cannot record the state of message \(record.id): \(error)") }
        }
        if isObserved { notify(record) }
    }

    /// Records the final state and waits until it is durable.
    private func finish(
        _ state: DeliveryState, _ finalState: OutboxState, reason: String?, reply: Reply? = nil, attempts: Int? = nil
    ) async {
        let now = Timestamp.now
        let record = state.record.withLock { record -> OutboxRecord in
            record.apply(finalState, attempts: attempts, nextAttemptAt: .some(nil), lastError: .some(reason), now: now)
            record.reply = reply
            return record
        }
        // Submitted first (so whatever is committed after sees it), shown at once, then waited for: should the
        // commit be lost in a crash, the message is sent again and its receiver answers from its record, so what
        // was shown stays true.
        let failure: StoreError? = await withCheckedContinuation { continuation in
            store.updateOutboxSoon(
                id: record.id, state: finalState, attempts: attempts, nextAttemptAt: .some(nil), lastError: .some(reason),
                reply: .some(reply), now: now
            ) { continuation.resume(returning: $0) }
            if isObserved { notify(record) }
        }
        if let failure { logger.error("cannot record the state of message \(record.id): \(failure)") }
        let message = record.message
        let event: Journal.Entry.Event =
            switch finalState {
            case .acked: .acked
            case .rejected: .rejected
            case .expired: .expired
            case .cancelled: .cancelled
            case .sent: .published
            default: .failed
            }
        journal.append(Journal.Entry(event: event, id: record.id, node: message.toNode, attempt: attempts, reply: reply, reason: reason))
        // A rejection is reported by the node that refused the message, which knows why; not twice.
        guard [.failed, .expired].contains(finalState) else { return }
        errors.report(ErrorRecord(
            node: configuration.node, kind: .failed, messageId: record.id, method: message.method.rawValue,
            toNode: message.toNode, error: "message \(record.id) (\(message.method)) to \(message.toNode ?? ""): \(finalState.rawValue): \(reason ?? "")"))
    }
}
