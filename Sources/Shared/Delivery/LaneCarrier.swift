/// A lane's state while it runs: the messages in flight (at most a window of them), where it is in the store,
/// and whether its node answers. Used only by the lane's own task.
final class LaneCarrier {
    /// A class, so the window's dictionary holds references: changing a flight copies nothing.
    private final class Flight {
        /// The message, its bytes dropped once published (a retry reads them again).
        let message: OutgoingMessage
        let attempts: Int
        /// When the ACK is due, or (retrying) when the next attempt is.
        var deadline: Timestamp
        var retrying = false
        var assembly = ReplyAssembly()
        /// It went with a MAC, which its node refuses should its key have changed behind this node's back: then it
        /// goes again at once, signed (``take(_:flight:sequence:now:)``).
        var sentWithMAC = false
        /// It went in a batch whose first message is this one: a batch refused for its MAC is refused whole, on
        /// its first message's reply subject.
        var batchLead: Int64?

        init(message: OutgoingMessage, attempts: Int, deadline: Timestamp) {
            self.message = message
            self.attempts = attempts
            self.deadline = deadline
        }
    }

    private enum Mode {
        case open
        /// The node is not connected: `probe` is the message sent to find out whether it is back.
        case blocked(failures: Int, nextProbe: Timestamp?, probe: Int64?)
    }

    private let lane: Lane
    private let context: LaneContext
    private var flights: [Int64: Flight] = [:]
    /// The highest sequence read from the store so far.
    private var cursor: Int64 = 0
    /// Messages up to this sequence were queued while the node was away (or before this start): drained in order.
    private var drainThrough: Int64 = 0
    /// A message that must be answered before anything after it goes out.
    private var gate: Int64?
    /// The next message must wait until nothing is in flight.
    private var waitingForEmptyWindow = false
    /// The lane's generation when the store last had nothing after the cursor.
    private var exhaustedAt: UInt64?
    /// Messages accepted for the node and handed over as stored (at most a window of them): sent without reading
    /// the store while each continues what the lane knows (``takeHanded(room:)``).
    private var handed: [Lane.Handed] = []
    private var mode = Mode.open
    /// Waiting messages up to this sequence are already marked as waiting for their node.
    private var markedThrough: Int64 = 0
    /// Messages that were on their way when the node was found not connected: observers hear of them once the
    /// store marks them as waiting.
    private var unmarked: [OutgoingMessage] = []
    /// Messages the lane finished whose final state is not durable yet: the store still has them unfinished, and
    /// must not be taken at its word (to send them again, or to take a second answer).
    private var finishing: Set<Int64> = []
    /// Messages whose flights were dropped when the node went away, still answerable by a late ACK.
    private var dropped: Set<Int64> = []
    /// Messages read back for a late answer in pieces (``forgottenFlight(_:)``), kept until the answer is whole.
    private var reassembling: [Int64: Flight] = [:]
    /// The node's key on record, read once (and again when an ACK is refused).
    private var keyRecord: Store.KeyRecord?? {
        didSet { mirrorMACs() }
    }
    /// Messages this lane carried to their end since it last had nothing to do.
    private var finishedInBurst = 0
    /// Final states made since the pump began, written together when it ends (``recordFinals(now:)``): one write
    /// and one journal append for a batch of ACKs, not one each.
    private var finals: [Store.OutboxFinal] = []
    private var finalSequences: [Int64] = []
    private var finalLines: [Journal.Entry] = []
    /// The node answered with a batch of ACKs, or said it takes batches in a single ACK (header `Bosun-Ack-Batch`), so
    /// it takes batches of messages (``MessageBatch``). Forgotten when an ACK does not come in time or the node goes
    /// away: it may have been replaced by an older version.
    private var takesBatches = false
    /// The node said it takes messages with a MAC instead of a signature (header `Bosun-Mac-Messages` on its ACKs):
    /// it gets them so while its key on record is approved. Forgotten as ``takesBatches`` is.
    private var takesMACs = false {
        didSet { mirrorMACs() }
    }

    /// Tells the outbox whether this lane sends its messages with a MAC (``Lane/takesMACs``), so that an accept stores
    /// them unsigned: only when it will, the node taking them and its key on record (as last read) approved. Otherwise
    /// they are signed at accept, on every core, not one by one as the lane sends them.
    private func mirrorMACs() {
        let approved = keyRecord.flatMap { $0 }?.state == .approved
        lane.takesMACs.store(takesMACs && approved, ordering: .relaxed)
    }
    /// Messages published by this fill that go out together when it ends (``sendGathered(now:)``).
    private var gathered: [OutgoingMessage] = []
    private var gatheredBytes = 0

    init(lane: Lane, context: LaneContext) {
        self.lane = lane
        self.context = context
    }

    private var node: String { lane.node }
    private var store: Store { context.store }

    /// What was accepted before this start waits from before it: drained in order. (The lane only reads unfinished
    /// messages, so a bound at the outbox's start marks the same ones as the last unfinished sequence below it: no
    /// query per new lane, which a fan-out to 10,000 nodes would make 10,000 times.)
    func start() {
        drainThrough = context.resumeThrough
    }

    /// The generation at which the lane had nothing to do, if it has nothing to do now.
    var idleGeneration: UInt64? {
        guard case .open = mode, flights.isEmpty, let exhaustedAt,
            exhaustedAt == lane.generation.load(ordering: .sequentiallyConsistent)
        else { return nil }
        return exhaustedAt
    }

    /// The next time the lane must act on its own: an ACK due, a retry, a probe.
    var nextDeadline: Timestamp? {
        var next = flights.values.lazy.map(\.deadline).min()
        if case .blocked(_, let nextProbe?, nil) = mode { next = min(next ?? nextProbe, nextProbe) }
        return next
    }

    /// Does what is due, then sends what the window has room for.
    func pump() {
        let now = context.clock.now
        // Most pumps find nothing due: one pass to know, rather than sorting the window each time.
        if flights.values.contains(where: { $0.deadline <= now }) {
            for sequence in flights.keys.sorted() where (flights[sequence]?.deadline ?? .distantFuture) <= now {
                due(sequence, now: now)
            }
        }
        switch mode {
        case .open:
            fill(now: now)
        case .blocked(_, let nextProbe?, nil) where nextProbe <= now:
            sendProbe(now: now)
        case .blocked:
            break
        }
        // Handed messages count only for the fill right after their accept: one not taken by then (a full window,
        // a gate, a blocked lane) is read from the store when its turn comes, as the store has it then.
        dropHanded()
        finishedInBurst += recordFinals(now: now)
        if finishedInBurst > 0, idleGeneration != nil {
            if finishedInBurst >= Outbox.trimAfter { context.burstEnded() }
            finishedInBurst = 0
        }
    }

    /// Writes the final states made since the last call, in one group-commit write; the lane hears once they are
    /// durable. (The lane calls ``pump()`` after every event it handles, so none waits longer than that.) Returns
    /// how many it wrote.
    private func recordFinals(now: Timestamp) -> Int {
        guard !finals.isEmpty else { return 0 }
        let count = finals.count
        let (lane, sequences) = (self.lane, finalSequences)
        store.finishOutboxSoon(finals, now: now) { [logger = context.logger] error in
            if let error { logger.error("cannot record the final state of \(sequences.count) messages: \(error)") }
            lane.deliver(.finished(sequences: sequences))
        }
        context.journal.append(finalLines)
        finals.removeAll(keepingCapacity: true)
        finalSequences.removeAll(keepingCapacity: true)
        finalLines.removeAll(keepingCapacity: true)
        return count
    }

    func handle(_ event: Lane.Event) {
        let now = context.clock.now
        switch event {
        case .wake(let messages):
            // More than a window to take: the store has them, and is read instead.
            if handed.count + messages.count > context.window { dropHanded() } else { handed += messages }
        case .reply(let answer):
            reply(answer, now: now)
        case .probeNow:
            if case .blocked(let failures, _, nil) = mode { mode = .blocked(failures: failures, nextProbe: now, probe: nil) }
        case .retryNow(let id):
            if let sequence = flights.first(where: { $0.value.message.id == id })?.key, flights[sequence]?.retrying == true {
                flights[sequence]?.deadline = now
            } else {
                handle(.probeNow)
            }
        case .cancelled(let id):
            dropHanded()
            if let sequence = flights.first(where: { $0.value.message.id == id })?.key { forget(sequence) }
        case .finished(let sequences):
            for sequence in sequences { finishing.remove(sequence) }
        case .settled(.success(let outcome)):
            dropHanded()
            markedThrough = max(markedThrough, outcome.markedThrough)
            // Observers (`bosun send`, the console) see that what was on its way now waits for the node (unless it
            // was answered meanwhile, by a late ACK, or went again once the node was back).
            for message in unmarked where !finishing.contains(message.sequence) && flights[message.sequence] == nil {
                context.changed(OutboxChange(id: message.id, state: .queued, nextAttemptAt: .some(nil),
                    lastError: .some(Outbox.waitingForNode(node)), acceptedAt: message.acceptedAt, updatedAt: now))
            }
            unmarked.removeAll()
            settled(outcome.settled, now: now)
        case .settled(.failure(let error)):
            context.logger.error("cannot record that \(node) is not connected: \(error)")
        }
    }

    /// Forgets the messages handed to the lane that it did not take: the store has them, and must be read for them
    /// (a fill that saw the generation of their accept before they were handed took it for nothing left to read).
    private func dropHanded() {
        guard !handed.isEmpty else { return }
        handed.removeAll(keepingCapacity: true)
        exhaustedAt = nil
    }

    // MARK: sending

    /// Tops up the window; what may go together goes out as one batch (``MessageBatch``) once the fill ends.
    private func fill(now: Timestamp) {
        fillWindow(now: now)
        sendGathered(now: now)
    }

    private func fillWindow(now: Timestamp) {
        guard gate == nil else { return }
        if waitingForEmptyWindow {
            guard flights.isEmpty else { return }
            waitingForEmptyWindow = false
        }
        // A full window is topped up once an eighth of it is free, not a slot at a time: one read of the store
        // per few dozen messages instead of one per ACK.
        let refill = max(1, context.window / 8)
        while flights.count < context.window {
            let generation = lane.generation.load(ordering: .sequentiallyConsistent)
            if handed.isEmpty, exhaustedAt == generation { return }
            let room = context.window - flights.count
            if room < refill, !flights.isEmpty { return }
            let rows: [OutgoingMessage]
            let fromHand = takeHanded(room: room)
            if let fromHand {
                rows = fromHand
            } else {
                do {
                    rows = try store.outgoing(to: node, after: cursor, limit: room)
                } catch {
                    context.logger.error("cannot read the messages for \(node): \(error)")
                    return
                }
            }
            // The node's key record as the outbox read it with the rest of a fan-out, unless the lane read its own
            // (later) already.
            if keyRecord == nil, let primed = lane.primedKeyRecord.withLock({ $0.take() }) { keyRecord = .some(primed) }
            for row in rows {
                // Finishing, or already in flight (a late answer to it put its flight back after a reopen).
                if finishing.contains(row.sequence) || flights[row.sequence] != nil {
                    cursor = row.sequence
                    continue
                }
                if let (state, reason) = stopReason(row, attempts: row.attempts, now: now) {
                    cursor = row.sequence
                    finish(row, attempts: row.attempts, state, reason: reason, now: now)
                    continue
                }
                let mustWait = mustWait(row)
                if mustWait, !flights.isEmpty {
                    waitingForEmptyWindow = true
                    return
                }
                cursor = row.sequence
                publish(row, attempts: row.attempts + 1, now: now, together: !mustWait)
                if mustWait, flights[row.sequence] != nil {
                    gate = row.sequence
                    return
                }
            }
            // All that was handed went as the store has it, and nothing came between: the store has nothing more
            // for the lane as of this generation (what is accepted later comes with a wake of its own).
            if fromHand != nil ? handed.isEmpty : rows.count < room {
                exhaustedAt = generation
                if fromHand == nil { return }
            }
        }
    }

    /// Handed messages to send instead of reading the store, at most `room`, if the first continues what the lane
    /// knows (the node had no message after the cursor before it) and each the one before it; nil otherwise, and the
    /// handed messages are dropped (the store is read from the cursor, which finds them).
    private func takeHanded(room: Int) -> [OutgoingMessage]? {
        guard !handed.isEmpty else { return nil }
        var known = cursor
        var taken: [OutgoingMessage] = []
        for next in handed.prefix(room) {
            guard next.previous == known else {
                handed.removeAll()
                return nil
            }
            taken.append(next.message)
            known = next.message.sequence
        }
        handed.removeFirst(taken.count)
        return taken
    }

    /// Whether `message` goes out only once everything before it is answered.
    private func mustWait(_ message: OutgoingMessage) -> Bool {
        message.sequential || (message.sequence <= drainThrough && Method.drainedInOrder.contains(message.method))
    }

    /// Publishes `message` (`together`: gathered into the batch this fill sends, when the node takes batches) and
    /// keeps it in the window until its ACK.
    private func publish(_ message: OutgoingMessage, attempts: Int, now: Timestamp, together: Bool = false) {
        var published = true
        var withMAC = false
        if together, takesBatches, message.wantsACK, message.payload.count <= MessageBatch.largestItem {
            if gatheredBytes + message.payload.count > MessageBatch.mostBytes { sendGathered(now: now) }
            gathered.append(message)
            gatheredBytes += message.payload.count
        } else {
            // Nothing overtakes what was gathered before it.
            sendGathered(now: now)
            let sent = transmit(message)
            published = sent != nil
            withMAC = sent?.withMAC ?? false
        }
        context.journal.append(Journal.Entry(time: now, event: .attempt, id: message.id, node: node, attempt: attempts))
        guard message.wantsACK else {
            finish(message, attempts: attempts, .sent, reason: nil, now: now)
            return
        }
        dropped.remove(message.sequence)
        var kept = message
        kept.payload = []
        let deadline = published ? now.adding(seconds: message.ackTimeout) : now
        let flight = Flight(message: kept, attempts: attempts, deadline: deadline)
        flight.sentWithMAC = withMAC
        flights[message.sequence] = flight
        context.changed(OutboxChange(id: message.id, state: .sending, attempts: attempts, acceptedAt: message.acceptedAt,
            updatedAt: now))
    }

    /// The reply subject of `message`: `<reply prefix>.<lane>.<sequence>`.
    private func replySubject(of message: OutgoingMessage) -> String {
        "\(context.replyPrefix).\(lane.token).\(message.sequence)"
    }

    /// A message published, and whether it went with a MAC.
    private struct Sent {
        var withMAC: Bool
    }

    /// Publishes one message as stored; nil if it did not go (a full buffer while reconnecting counts as an attempt
    /// that found no ACK).
    private func transmit(_ message: OutgoingMessage) -> Sent? {
        do {
            let signer = context.signer
            let key = signer?.key(accepting: message)
            var signature = message.signature
                ?? key.flatMap { macFor(message.subject, message.payload, by: $0) ?? $0.signature(subject: message.subject, payload: message.payload) }
            // A node that signs sends nothing unsigned: a signature that could not be made is an attempt that failed.
            if key != nil, signature == nil {
                context.logger.error("cannot sign \(message.id) to \(node)")
                return nil
            }
            // An ACK with a MAC is cheaper to make and to check than a signed one; offered only under this node's
            // current key (the answer is checked with the key that authenticated the message, which a rotation may
            // have replaced by then: ``refusal(of:to:)``).
            let offers = message.wantsACK && signature?.key == signer?.current.publicKey
            signature?.offersMACAnswer = offers
            signature?.offersBatchAnswer = offers
            try context.publisher.publish(message.subject, payload: message.payload,
                replyTo: message.wantsACK ? replySubject(of: message) : nil, signature: signature)
            return Sent(withMAC: signature?.isMAC == true)
        } catch {
            context.logger.warning("cannot publish \(message.id) to \(node): \(error)")
            return nil
        }
    }

    /// A MAC by `key` for `payload` on `subject` to go instead of a signature, when the node takes them and its key
    /// on record is approved; nil otherwise. (A message stored signed goes with its signature.)
    private func macFor(_ subject: String, _ payload: [UInt8], by key: NodeKey) -> WireSignature? {
        guard takesMACs, let record = keyRecordRead(), record.state == .approved else { return nil }
        return key.mac(subject: subject, payload: payload, for: record.publicKey)
    }

    /// Sends what this fill gathered: one message alone, more as one batch signed by this node's current key (which
    /// answers to it carry a MAC under), or unsigned by a node that signs nothing.
    private func sendGathered(now: Timestamp) {
        guard let first = gathered.first else { return }
        defer {
            gathered.removeAll(keepingCapacity: true)
            gatheredBytes = 0
        }
        let subject = MessageBatch.subject(for: node)
        // A lone message is not encoded as a batch only to go alone.
        let payload = gathered.count > 1
            ? MessageBatch(items: gathered.map {
                MessageBatch.Item(subject: $0.subject, token: String($0.sequence), payload: $0.payload)
            }).encoded() : nil
        let current = context.signer?.current
        var signature = payload.flatMap { payload in
            current.flatMap { macFor(subject, payload, by: $0) ?? $0.signature(subject: subject, payload: payload) }
        }
        guard let payload, current == nil || signature != nil else {
            for message in gathered {
                let sent = transmit(message)
                flights[message.sequence]?.sentWithMAC = sent?.withMAC ?? false
                if sent == nil { flights[message.sequence]?.deadline = now }
            }
            return
        }
        signature?.offersMACAnswer = true
        signature?.offersBatchAnswer = true
        do {
            try context.publisher.publish(subject, payload: payload, replyTo: replySubject(of: first), signature: signature)
            for message in gathered {
                flights[message.sequence]?.sentWithMAC = signature?.isMAC == true
                flights[message.sequence]?.batchLead = first.sequence
            }
        } catch {
            context.logger.warning("cannot publish \(gathered.count) messages to \(node): \(error)")
            for message in gathered { flights[message.sequence]?.deadline = now }
        }
    }

    /// A flight's deadline passed: its ACK did not come in time, or its retry is due.
    private func due(_ sequence: Int64, now: Timestamp) {
        guard let flight = flights[sequence] else { return }
        if flight.retrying {
            let fresh: OutgoingMessage?
            do {
                fresh = try store.outgoing(sequence: sequence)
            } catch {
                context.logger.error("cannot read message \(flight.message.id) again: \(error)")
                flights[sequence]?.deadline = now.adding(seconds: 1)
                return
            }
            // Finished meanwhile (cancelled by the operator): nothing to retry.
            guard let fresh else { return forget(sequence) }
            if let (state, reason) = stopReason(fresh, attempts: flight.attempts, now: now) {
                return finish(fresh, attempts: flight.attempts, state, reason: reason, now: now)
            }
            publish(fresh, attempts: flight.attempts + 1, now: now)
            return
        }
        // Sent one by one, and signed, from here: the node may no longer take batches, or check this node's MACs.
        takesBatches = false
        takesMACs = false
        // No ACK and no "no responders": a probe that finds the node connected but silent (busy, or not taking
        // this sender's messages yet, as a central node does before it approves a node) stays the probe and is
        // sent again with backoff. Only an answer reopens the lane, so what waited behind it still comes after it.
        if let (state, reason) = stopReason(flight.message, attempts: flight.attempts, now: now) {
            return finish(flight.message, attempts: flight.attempts, state, reason: reason, now: now)
        }
        let wait = Backoff(initial: flight.message.retryWait, cap: context.retryWaitCap).seconds(afterAttempt: flight.attempts)
        flight.retrying = true
        flight.deadline = now.adding(seconds: wait)
        recordProgress(OutboxChange(
            id: flight.message.id, state: .queued, attempts: flight.attempts, nextAttemptAt: .some(flight.deadline),
            lastError: .some("no ACK within \(Self.seconds(flight.message.ackTimeout)) s"),
            acceptedAt: flight.message.acceptedAt, updatedAt: now))
    }

    private func reply(_ answer: NATSMessage, now: Timestamp) {
        if answer.batchAuthentication != nil || answer.isUnsignedReplyBatch { return replies(answer, now: now) }
        guard let dot = answer.subject.lastIndex(of: "."),
            var sequence = Int64(answer.subject[answer.subject.index(after: dot)...])
        else { return }
        if answer.isNoResponders { return notConnected(sequence, now: now) }
        // An answer to an attempt the lane has forgotten (it found the node gone since, and dropped its window)
        // still counts, as long as the message is unfinished.
        var found = flights[sequence] ?? reassembling[sequence] ?? forgottenFlight(sequence)
        // An answer on the reply subject of a batch of messages (the first one's) may be another message's of that
        // batch, too big for a batch of ACKs: found by its id.
        func answering(_ id: String) -> Flight? {
            if let found, found.message.id == id { return found }
            guard let other = flights.first(where: { $0.value.message.id == id }) else { return nil }
            (sequence, found) = (other.key, other.value)
            return other.value
        }
        let whole: Reply?
        if let chunk = ReplyChunk.decode(answer.payload) {
            let answered = answering(chunk.chunkOf)
            whole = answered?.assembly.add(chunk)
            // A message out of the window keeps its pieces here until its answer is whole (as many as a window).
            if let answered, flights[sequence] == nil {
                if whole == nil, reassembling[sequence] == nil, reassembling.count >= context.window { reassembling.removeAll() }
                reassembling[sequence] = whole == nil ? answered : nil
            }
        } else {
            whole = try? Reply.decode(answer.payload)
        }
        // A refusal made before the message was decoded (unsigned, untrusted) cannot name its id: the subject
        // says which message it answers.
        guard let reply = whole,
            let flight = answering(reply.id) ?? (reply.id.isEmpty && reply.status == .rejected ? found : nil)
        else { return }
        if let reason = refusal(of: reply, to: flight.message) {
            context.logger.warning("ignored: \(reason)")
            // Not believed, but answered: someone takes the node's messages, so it is connected. A blocked lane
            // that kept probing would hold everything behind a message that waits for a believed ACK.
            reopen(now: now)
            return
        }
        lane.agreed.store(true, ordering: .relaxed)
        if answer.speaksBatches { takesBatches = true }
        if answer.takesMACMessages { takesMACs = true }
        take(reply, flight: flight, sequence: sequence, now: now)
    }

    /// A batch of ACKs (``ReplyBatch``): its MAC and key checked once, then each answer taken as a single one is.
    private func replies(_ answer: NATSMessage, now: Timestamp) {
        // Checked with the current key only: a batch answers messages of several kinds, and one under a replaced
        // key would be believed for all of them. (A batch sent just before a rotation is then sent again.)
        let current = context.signer?.current
        if let reason = believing({ context.trust.refusal(ofBatch: answer, from: node, record: $0, asker: current) }) {
            context.logger.warning("ignored: \(reason)")
            // As for a single ACK not believed: someone takes the node's messages, so it is connected.
            return reopen(now: now)
        }
        let batch: ReplyBatch
        do {
            batch = try ReplyBatch.decode(answer.payload)
        } catch {
            return context.logger.warning("ignored a batch of ACKs from \(node): \(error)")
        }
        let signer = answer.batchAuthentication?.key
        lane.agreed.store(true, ordering: .relaxed)
        takesBatches = true
        if answer.takesMACMessages { takesMACs = true }
        for entry in batch.entries {
            guard let sequence = Int64(entry.to), let flight = flights[sequence] ?? forgottenFlight(sequence),
                entry.reply.id == flight.message.id
            else { continue }
            var reply = entry.reply
            reply.signedBy = signer
            take(reply, flight: flight, sequence: sequence, now: now)
        }
    }

    /// Takes a believed answer to the message of `flight`.
    private func take(_ answer: Reply, flight: Flight, sequence: Int64, now: Timestamp) {
        var reply = answer
        reply.id = flight.message.id
        reopen(now: now)
        if reply.status == .rejected, reply.error == TrustPolicy.badMAC.reason {
            // The node could not check this node's MAC: the key on record here is not its key any more (replaced
            // since it was read). It never finishes a message: the refusal names no id, and may answer an earlier
            // attempt than the one in flight (that went signed after its ACK did not come in time, and is answered
            // in its own right). A message whose attempt in flight went with a MAC goes again at once, signed; a
            // batch, refused whole on its first message's subject, all of it. One that went signed waits for its
            // answer (a node that says so of a signed message gets no second attempt at once).
            guard flight.sentWithMAC else { return }
            takesMACs = false
            keyRecord = nil
            flights[sequence] = flight
            for (each, refused) in flights where each == sequence || (refused.batchLead == sequence && refused.sentWithMAC) {
                refused.sentWithMAC = false
                refused.retrying = true
                refused.deadline = now
            }
            return
        }
        guard reply.status == .inProgress else {
            return finish(flight.message, attempts: flight.attempts, reply.status == .rejected ? .rejected : .acked,
                reason: reply.error, reply: reply, now: now)
        }
        flight.deadline = now.adding(seconds: flight.message.ackTimeout)
        flight.retrying = false
        flights[sequence] = flight
        context.journal.append(Journal.Entry(time: now, event: .inProgress, id: flight.message.id, node: reply.fromNode))
        recordProgress(OutboxChange(id: flight.message.id, state: .inProgress, acceptedAt: flight.message.acceptedAt, updatedAt: now))
    }

    /// Records progress short of a final state (a retry planned, the receiver running it) without waiting for the
    /// commit; observers hear of it once it is stored. Lost in a crash, it only means the message is sent again.
    private func recordProgress(_ change: OutboxChange) {
        let changed = context.changed
        store.updateUnfinishedSoon(
            id: change.id, state: change.state, attempts: change.attempts, nextAttemptAt: change.nextAttemptAt,
            lastError: change.lastError, now: change.updatedAt
        ) { [logger = context.logger] result in
            switch result {
            case .success(true): changed(change)
            // Finished meanwhile (cancelled): observers heard of that.
            case .success(false): break
            case .failure(let error): logger.error("cannot record the state of message \(change.id): \(error)")
            }
        }
    }

    /// A message whose flight the lane dropped when its node went away, read back to take a late answer (a
    /// message the lane finished itself is not: its commit may still be on its way, and a second answer from a
    /// retried attempt must not finish it twice).
    private func forgottenFlight(_ sequence: Int64) -> Flight? {
        guard dropped.remove(sequence) != nil, !finishing.contains(sequence), let message = try? store.outgoing(sequence: sequence) else { return nil }
        // (How it went is not known: a refusal of its MAC is let be, and the lane, reopened, reads it again.)
        return Flight(message: message, attempts: message.attempts, deadline: context.clock.now)
    }

    /// Why an ACK to `message` is not believed, if it is not (see ``TrustPolicy/refusal(ofReply:from:record:asker:)``).
    private func refusal(of reply: Reply, to message: OutgoingMessage) -> String? {
        // A MAC is checked with the key that authenticated the message (one stored without a key on record went
        // under the current key).
        let signer = context.signer
        let asker = signer.flatMap { $0.key(message.signature?.key ?? message.signer ?? $0.current.publicKey) }
        return believing { context.trust.refusal(ofReply: reply, from: node, record: $0, asker: asker) }
    }

    /// Why an answer is not believed by `check`, given the node's key on record, if it is not. The record is read
    /// once and kept, and read again before an answer is refused: the node may have been approved (or its key
    /// replaced) since.
    private func believing(_ check: (Store.KeyRecord?) -> String?) -> String? {
        let record = keyRecordRead()
        guard let reason = check(record) else { return nil }
        let fresh = try? store.keyRecord(node: node)
        keyRecord = .some(fresh)
        return fresh == record ? reason : check(fresh)
    }

    /// The node's key record, read once and kept.
    private func keyRecordRead() -> Store.KeyRecord? {
        let record = keyRecord ?? (try? store.keyRecord(node: node))
        keyRecord = .some(record)
        return record
    }

    // MARK: a node that is not connected

    /// A publish found nobody subscribed for the node.
    private func notConnected(_ sequence: Int64, now: Timestamp) {
        switch mode {
        case .open:
            // Forget the window; what it held is read again, in order, once the node is back.
            if let oldest = flights.keys.min() { cursor = min(cursor, oldest - 1) }
            unmarked = Array(flights.values.map(\.message))
            if dropped.count > 4 * context.window { dropped.removeAll() }
            dropped.formUnion(flights.keys)
            flights.removeAll()
            gate = nil
            waitingForEmptyWindow = false
            exhaustedAt = nil
            takesBatches = false
            takesMACs = false
            block(failures: 1, now: now)
            context.logger.info("node not connected; probing it", metadata: ["node": "\(node)"])
        case .blocked(let failures, _, sequence?):
            if let probe = flights.removeValue(forKey: sequence) { unmarked.append(probe.message) }
            block(failures: failures + 1, now: now)
        case .blocked:
            break
        }
    }

    private func block(failures: Int, now: Timestamp) {
        let wait = Backoff(initial: context.probeWait, cap: context.retryWaitCap).seconds(afterAttempt: failures)
        mode = .blocked(failures: failures, nextProbe: now.adding(seconds: wait), probe: nil)
        lane.isBlocked.store(true, ordering: .relaxed)
        let lane = self.lane
        store.settleBlocked(node: node, markedThrough: markedThrough, reason: Outbox.waitingForNode(node), now: now) {
            lane.deliver(.settled($0))
        }
    }

    /// Sends the oldest waiting message to see whether the node is back.
    private func sendProbe(now: Timestamp) {
        guard case .blocked(let failures, _, _) = mode else { return }
        let oldest: OutgoingMessage?
        do {
            oldest = try store.outgoing(to: node, after: 0, limit: finishing.count + 1).first {
                !finishing.contains($0.sequence)
            }
        } catch {
            context.logger.error("cannot read the messages for \(node): \(error)")
            mode = .blocked(failures: failures, nextProbe: now.adding(seconds: context.retryWaitCap), probe: nil)
            return
        }
        guard let oldest else { return reopen(now: now) }
        // Past its ttl or bound: settle the whole backlog (one write, one report) rather than one by one.
        if stopReason(oldest, attempts: oldest.attempts, now: now) != nil { return block(failures: failures, now: now) }
        // An EventNACK gets no answer, so it tells nothing: it goes out, and the next one probes.
        mode = .blocked(failures: failures, nextProbe: oldest.wantsACK ? nil : now, probe: oldest.wantsACK ? oldest.sequence : nil)
        publish(oldest, attempts: oldest.attempts + 1, now: now)
    }

    /// The node answered: back to sending the window, draining what waited in order.
    private func reopen(now: Timestamp) {
        guard case .blocked = mode else { return }
        mode = .open
        lane.isBlocked.store(false, ordering: .relaxed)
        // What is in flight is the probe, the oldest waiting message: the rest comes after it.
        cursor = flights.keys.max() ?? 0
        drainThrough = (try? store.lastUnfinishedSequence(to: node)) ?? cursor
        exhaustedAt = nil
        if let probe = flights.values.first?.message, mustWait(probe) { gate = probe.sequence }
        context.logger.info("node answers again", metadata: ["node": "\(node)"])
    }

    /// What settling a blocked node finished (past their ttl or retry bound): journaled, reported as one line.
    private func settled(_ settled: [Store.Settled], now: Timestamp) {
        guard !settled.isEmpty else { return }
        context.journal.append(settled.map {
            Journal.Entry(time: now, event: $0.state == .expired ? .expired : .failed, id: $0.id, node: node,
                method: $0.method, reason: $0.reason)
        })
        for message in settled {
            context.changed(OutboxChange(id: message.id, state: message.state, lastError: .some(message.reason), updatedAt: now))
        }
        let first = settled[0]
        let more = settled.count > 1 ? " (and \(settled.count - 1) more messages to \(node))" : ""
        context.errors.report(ErrorRecord(
            node: context.node, kind: .failed, messageId: first.id, method: first.method, toNode: node,
            error: "message \(first.id) (\(first.method)) to \(node): \(first.state.rawValue): \(first.reason)\(more)"))
    }

    // MARK: endings

    /// Why a message must stop before another attempt, if it must: its ttl passed, or its retries are used up.
    private func stopReason(_ message: OutgoingMessage, attempts: Int, now: Timestamp) -> (OutboxState, String)? {
        if let expiresAt = message.expiresAt, now >= expiresAt {
            return (.expired, "ttl passed after \(attempts) attempts")
        }
        if message.retries > 0, attempts > message.retries {
            return (.failed, "no ACK after \(attempts) attempts (retries: \(message.retries))")
        }
        return nil
    }

    private func forget(_ sequence: Int64) {
        flights.removeValue(forKey: sequence)
        if gate == sequence { gate = nil }
        // The probe ended without an answer (past its ttl or bound, or cancelled): the next waiting message probes.
        if case .blocked(let failures, _, sequence) = mode {
            mode = .blocked(failures: failures, nextProbe: context.clock.now, probe: nil)
        }
    }

    /// Records a final state (written when the pump ends); observers hear of it at once.
    private func finish(
        _ message: OutgoingMessage, attempts: Int, _ state: OutboxState, reason: String?, reply: Reply? = nil,
        now: Timestamp
    ) {
        forget(message.sequence)
        finishing.insert(message.sequence)
        let id = message.id
        // Shown at once, then made durable: should the commit be lost in a crash, the message is sent again and its
        // receiver answers from its record, so what was shown stays true.
        context.changed(OutboxChange(id: id, state: state, attempts: attempts, lastError: .some(reason), reply: reply,
            acceptedAt: message.acceptedAt, updatedAt: now))
        finals.append(Store.OutboxFinal(id: id, state: state, attempts: attempts, lastError: reason, reply: reply))
        finalSequences.append(message.sequence)
        let event: Journal.Entry.Event =
            switch state {
            case .acked: .acked
            case .rejected: .rejected
            case .expired: .expired
            case .cancelled: .cancelled
            case .sent: .published
            default: .failed
            }
        finalLines.append(Journal.Entry(
            time: now, event: event, id: id, node: node, attempt: attempts, reply: reply, reason: reason))
        // A rejection is reported by the node that refused the message, which knows why; not twice.
        guard state == .failed || state == .expired else { return }
        context.errors.report(ErrorRecord(
            node: context.node, kind: .failed, messageId: id, method: message.method.rawValue, toNode: node,
            error: "message \(id) (\(message.method)) to \(node): \(state.rawValue): \(reason ?? "")"))
    }

    private static func seconds(_ value: Double) -> String {
        value.rounded() == value ? String(Int(value)) : String(value)
    }
}

extension Timestamp {
    static let distantFuture = Timestamp(millisecondsSinceEpoch: .max)
}
