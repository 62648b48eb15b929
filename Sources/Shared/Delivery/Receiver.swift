import Logging
import Synchronization

/// Takes every message addressed to this node off NATS and answers it, running each exactly once.
///
/// For ACK types the id is recorded durably *before* the handler runs: a retry of a finished message gets the
/// stored result again, a retry of a running one gets `inProgress`, and one whose run was cut off by a crash
/// gets `interrupted` (never a second run: its effects may be half done). Methods that may run again
/// (``Method/rerunnable``) are recorded with their answer after the run, in one commit instead of two. Every message
/// runs in its own task, so a slow command delays nothing else, except those whose handler runs at once
/// (``ImmediateMethodHandler``: a ping, a log line), which cost less run where they are.
public final class Receiver: Sendable {
    let connection: NATSConnection
    let context: HandlerContext
    private let handlers: [Method: any MethodHandler]
    /// The handlers that run at once, without a task of their own (``ImmediateMethodHandler``).
    private let immediate: [Method: any ImmediateMethodHandler]
    let store: Store
    let journal: Journal
    let errors: ErrorReporter
    let logger: Logger
    private let heard: @Sendable (String) -> Void
    let trust: TrustPolicy
    let audit: AuditLog?
    /// The subscription while receiving, so ``stopTaking()`` can end it.
    private let subscription = Mutex<NATSListener?>(nil)
    /// One slot for each message between arrival and answer (`maxConcurrentRuns` of them).
    private let slots: Capacity
    private let stopped = Atomic<Bool>(false)
    /// The ACL in force, if the node has one; replaced on reload.
    private let accessList = Mutex<AccessList?>(nil)
    let key: KeyRing?
    /// Messages a retry reached while they ran: their answer goes to the retry's (newer) reply subject.
    let retriedWhileRunning = Mutex<Set<String>>([])
    /// Stream methods (logs, appends, output, copy chunks) finish one at a time per stream, in arrival order.
    private let ordered = OrderedRuns()
    /// Refusals, counted into the error log.
    let refusals: RefusalLog
    /// Closed once the subscription is in place on the server (``waitUntilListening()``).
    private let listening = Mailbox<Void>()

    /// `heard` is told the sending node of every message that arrives: proof that node is connected.
    public init(
        connection: NATSConnection, context: HandlerContext, handlers: [Method: any MethodHandler], store: Store,
        journal: Journal, errors: ErrorReporter, logger: Logger,
        maxConcurrentRuns: Int = DeliveryDefaults.standard.maxConcurrentRuns, trust: TrustPolicy = TrustPolicy(),
        key: KeyRing? = nil, audit: AuditLog? = nil, refusalInterval: Double = 60,
        heard: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        refusals = RefusalLog(interval: refusalInterval) { [errors, node = context.node] line in
            errors.report(ErrorRecord(node: node, kind: .rejected, error: line))
        }
        self.heard = heard
        self.audit = audit
        self.trust = trust
        self.key = key
        slots = Capacity(maxConcurrentRuns)
        self.connection = connection
        self.context = context
        self.handlers = handlers
        immediate = handlers.compactMapValues { $0 as? any ImmediateMethodHandler }
        self.store = store
        self.journal = journal
        self.errors = errors
        self.logger = logger
    }

    /// The methods this node answers.
    public var methods: [Method] { handlers.keys.sorted { $0.rawValue < $1.rawValue } }

    /// Receives until the task is cancelled.
    public func run() async throws {
        let interrupted = try store.markRunningInterrupted(
            now: .now, rerunnable: Set(Method.rerunnable.map(\.rawValue)))
        if !interrupted.isEmpty {
            logger.warning("messages cut off by the last stop are marked interrupted", metadata: ["ids": "\(interrupted)"])
        }
        // Each message is checked and admitted on the subscription's own delivery thread, in arrival order
        // (recorded by the group commit); a run it releases starts as a task of its own from wherever its record
        // became durable. At most `maxConcurrentRuns` messages are between arrival and answer at once: beyond
        // that the delivery thread waits for a slot, so a flooding sender is slowed (its ACKs come later, it backs
        // off) instead of exhausting the node.
        // Their records are gathered while more messages wait on the subscription, and committed on the delivery
        // thread once none does (``ReceiveBatch``).
        let runs = RunTasks()
        let batch = ReceiveBatch(store: store) { self.sendTogether($0) }
        let ended = Mailbox<Void>()
        let subject = Subject.everything(for: context.node)
        let listener = try connection.listen(subject, deliver: { inbound in
            guard !runs.isCancelled else { return }
            if MessageBatch.isBatch(inbound.subject, for: self.context.node) {
                // A batch of messages: its signature checked once, then each message taken as if it came alone (the
                // registry asked once about the key that signed them all).
                var owners: [Store.KeyRecord]?
                for message in self.unpack(inbound) {
                    self.take(message, signatureChecked: true, runs: runs, batch: batch) { key in
                        if let owners { return owners }
                        let found = self.owners(of: key)
                        owners = found
                        return found
                    }
                    if batch.count >= ReceiveBatch.limit { batch.commit() }
                }
            } else {
                self.take(inbound, runs: runs, batch: batch)
            }
            if batch.count >= ReceiveBatch.limit || self.pendingMessages == 0 { batch.commit() }
        }, finished: {
            batch.commit()
            ended.close()
        })
        self.subscription.withLock { $0 = listener }
        defer { self.subscription.withLock { $0 = nil } }
        try await connection.flush()
        listening.close()
        logger.info("listening", metadata: ["subject": "\(subject)"])
        // Cancelled (at once, or after a graceful stop's grace while runs still go), the runs going are cancelled.
        await withTaskCancellationHandler {
            await withDiscardingTaskGroup { group in
                group.addTask { [refusals] in await refusals.run() }
                _ = await ended.receive()
                refusals.stop()
            }
            await runs.finish()
        } onCancel: {
            listener.unsubscribe()
            runs.cancelAll()
        }
        await store.settle()
        journal.flush()
        // Stopped on purpose: stay stopped (not "ended", which would have the supervisor start it again).
        while stopped.load(ordering: .relaxed), !Task.isCancelled {
            try? await Task.sleep(for: .seconds(3600))
        }
    }

    /// The registry's records of `key` (on the central node: the nodes that key belongs to).
    private func owners(of key: String) -> [Store.KeyRecord] {
        (try? store.keyRecords(publicKey: key)) ?? []
    }

    /// Returns once this node takes messages: its subscription is in place on the server.
    public func waitUntilListening() async {
        _ = await listening.receive()
    }

    /// Messages waiting on the subscription behind the one being taken.
    private var pendingMessages: Int {
        subscription.withLock { $0?.pendingMessages ?? 0 }
    }

    /// Puts `list` in force (nil: no ACL, the trust policy alone decides).
    public func replaceAccessList(_ list: AccessList?) {
        accessList.withLock { $0 = list }
    }

    /// Stops taking messages (a graceful stop): what was already delivered still runs; senders retry the rest
    /// with whoever listens next.
    public func stopTaking() {
        stopped.store(true, ordering: .relaxed)
        subscription.withLock { $0?.unsubscribe() }
    }

    /// Waits until no handler runs, or `timeout` passes; returns whether none runs.
    @discardableResult
    public func waitUntilIdle(timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while slots.inUse > 0, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
        }
        return slots.inUse == 0
    }

    /// Takes one message: a run slot (waiting for one when all are taken), then
    /// ``admit(_:signatureChecked:runs:batch:owners:release:)``.
    private func take(
        _ inbound: NATSMessage, signatureChecked: Bool = false, runs: RunTasks, batch: ReceiveBatch,
        owners: (String) -> [Store.KeyRecord]? = { _ in nil }
    ) {
        // A MAC only this node can check: checked here, before the trust policy judges who made it.
        if !signatureChecked, inbound.signature?.isMAC == true, let refusal = authenticationRefusal(inbound) {
            return refuse(inbound, id: "", refusal, fromNode: nil)
        }
        if !slots.tryAcquire() {
            // What is gathered holds slots until committed and answered: commit it before waiting for one.
            batch.commit()
            slots.acquireBlocking()
        }
        let checked = signatureChecked || inbound.signature?.isMAC == true
        if !admit(inbound, signatureChecked: checked, runs: runs, batch: batch, owners: owners, release: slots.release) {
            slots.release()
        }
    }

    /// Why a message's (or a batch's) signature or MAC is not right, if it is not; nil for an unsigned one (the
    /// trust policy judges that). A MAC is taken from a key this node trusts only (``TrustPolicy/macRefusal(key:node:)``:
    /// for any other nothing is worked out), and checked with this node's current key only: whoever holds a key it
    /// replaced (leaked, perhaps: why keys are rotated) could make MACs under that one. A sender that has not heard
    /// of the rotation yet is refused, and sends the message again signed.
    func authenticationRefusal(_ inbound: NATSMessage) -> TrustPolicy.Refusal? {
        guard let signature = inbound.signature else { return nil }
        guard signature.isMAC else {
            return signature.verifies(subject: inbound.subject, payload: inbound.payload) ? nil : TrustPolicy.badSignature
        }
        if let untrusted = trust.macRefusal(key: signature.key, node: context.node) { return untrusted }
        return key?.current.verifiesMAC(signature, subject: inbound.subject, payload: inbound.payload) == true
            ? nil : TrustPolicy.badMAC
    }

    /// The messages of a batch (``MessageBatch``), each as it would have come alone, with the batch's signature;
    /// none when the batch is refused. The signature is checked once, over the batch's bytes, before anything is
    /// decoded; who made it is judged for each message as for a single one (a key this node does not trust may still
    /// ping it). A batch refused whole is counted but not answered: its sender, finding no ACKs, sends its messages
    /// again one by one, and those are answered. Except a batch under a MAC this node cannot check (made for a key it
    /// had before): that refusal is answered, naming no message, on the batch's reply subject (its first message's),
    /// and its sender sends the whole batch again at once, signed, as it does a single message refused so.
    private func unpack(_ inbound: NATSMessage) -> [NATSMessage] {
        var unanswered = inbound
        unanswered.replyTo = nil
        if let tooLarge = TrustPolicy.sizeRefusal(inbound.payload.count, of: "a batch") {
            refuse(unanswered, id: "", tooLarge, fromNode: nil)
            return []
        }
        if let refusal = authenticationRefusal(inbound) {
            refuse(refusal == TrustPolicy.badMAC ? inbound : unanswered, id: "", refusal, fromNode: nil)
            return []
        }
        do {
            return try MessageBatch.decode(inbound.payload).items.map { item in
                var message = NATSMessage(subject: item.subject, replyTo: inbound.replyTo, payload: item.payload,
                    signature: inbound.signature)
                message.batchToken = item.token
                return message
            }
        } catch {
            refuse(unanswered, id: "", TrustPolicy.Refusal(kind: .malformed, reason: "malformed batch: \(error)"), fromNode: nil)
            return []
        }
    }

    /// Checks a message and gathers its record into `batch`; releases the work to run, if any, into `runs` once the
    /// record is durable. Returns whether it took charge of `release` (called once the message is answered); false
    /// when it is done with the message already. `signatureChecked`: it came in a batch whose one signature, checked
    /// already, covers it.
    private func admit(
        _ inbound: NATSMessage, signatureChecked: Bool, runs: RunTasks, batch: ReceiveBatch,
        owners: (String) -> [Store.KeyRecord]?, release: @escaping @Sendable () -> Void
    ) -> Bool {
        guard let subject = Subject(parsing: inbound.subject) else { return false }
        // The signature first, over the bytes as they came: what is refused here is never decoded.
        let admission: TrustPolicy.Admission
        switch trust.admit(inbound, subject: subject, node: context.node, signatureChecked: signatureChecked, owners: {
            owners($0) ?? self.owners(of: $0)
        }) {
        case .failure(let refusal):
            refuse(inbound, id: "", refusal, fromNode: nil)
            return false
        case .success(let admitted):
            admission = admitted
        }
        var decoded: Message
        do {
            decoded = try Message.decode(inbound.payload)
        } catch {
            refuse(inbound, id: error.messageID ?? "",
                TrustPolicy.Refusal(kind: .malformed, reason: "malformed message: \(error)"), fromNode: nil)
            return false
        }
        guard let id = decoded.id, let fromNode = decoded.fromNode, decoded.toNode == context.node,
            decoded.method == subject.method, decoded.effectiveType == subject.messageType
        else {
            refuse(inbound, id: decoded.id ?? "", TrustPolicy.Refusal(kind: .malformed,
                reason: "message lacks id or fromNode, is not for \(context.node), or does not match its subject"),
                fromNode: decoded.fromNode)
            return false
        }
        decoded.signedBy = admission.signer
        let message = decoded
        let acl = accessList.withLock { $0 }
        if let refusal = trust.refusal(of: message, admission: admission)
            ?? acl?.refusal(of: message, signerTrusted: trust.trusts(admission.signer, owners: admission.owners))
                .map({ TrustPolicy.Refusal(kind: .acl, reason: $0) })
        {
            refuse(inbound, id: id, refusal, fromNode: fromNode)
            return false
        }
        heard(fromNode)
        // The sender takes a MAC'd ACK (cheaper than a signed one) under the key it signed with. To a node that signs
        // nothing, the messages of a batch are answered in an unsigned batch of ACKs (``Asker/unsigned(batchToken:)``).
        let asker = inbound.signature?.offersMACAnswer == true
            ? admission.signer.map {
                Asker(key: $0, takesBatches: inbound.signature?.offersBatchAnswer == true, batchToken: inbound.batchToken)
            } : unsignedAsker(inbound)
        // An answer made in this commit goes out with the others, when the sender takes them so (``ReplyBatch``).
        let gather = asker?.takesBatches == true ? batch : nil
        guard let handler = handlers[message.method] else {
            let offered = methods.map(\.rawValue).joined(separator: ", ")
            refuse(inbound, id: id, TrustPolicy.Refusal(kind: .unknownMethod,
                reason: "node \(context.node) does not offer method `\(message.method)` (it offers \(offered))"),
                fromNode: fromNode)
            return false
        }
        // Journaled once it is certain to run (for a message recorded first, once that record is durable).
        let received = Journal.Entry(event: .received, id: id, node: fromNode, method: message.method.rawValue)
        let journalReceived: @Sendable () -> Void = { [journal] in journal.append(received) }
        // A handler that runs at once runs here, on the delivery thread, in arrival order.
        let atOnce = immediate[message.method]
        guard subject.messageType.wantsACK else {
            journalReceived()
            // A message of a stream (``Message/streamKey``) takes its turn behind those of its stream that came before
            // it and asked for an ACK: their runs start once their records are durable, in that commit's completions,
            // so this one starts there too, in arrival order (an empty write in the same commit).
            let inTurn: (@escaping @Sendable () -> Void) -> Void = { start in
                guard message.streamKey != nil else { return start() }
                batch.add(GroupCommit.Write(body: { _ throws(StoreError) in }, done: { _ in start() }))
            }
            if let atOnce {
                inTurn { [audit, context] in audit?.record(message, reply: atOnce.handleNow(message, context: context)) }
                return false
            }
            inTurn { [self] in
                schedule(message, runs: runs) {
                    let reply = await handler.handle(message, context: self.context)
                    self.audit?.record(message, reply: reply)
                    release()
                }
            }
            return true
        }
        if Method.rerunnable.contains(message.method) {
            if let atOnce {
                // Its run is over before its record: both lines are journaled with the answer, in one append.
                batch.add(record(message, id: id, reply: atOnce.handleNow(message, context: context),
                    replyTo: inbound.replyTo, asker: asker, received: received, gather: gather, release: release))
                return true
            }
            // May run twice in a row, not at any later time: a copy coming late (its ACK was lost) after later
            // messages ran could undo them (a trustKey add after the revoke that followed it, a fileWrite over a
            // newer one). One that ran to its end here gets its stored answer.
            if let stored = try? store.finishedReply(id: id) {
                send(stored, to: inbound.replyTo, asker: asker)
                return false
            }
            journalReceived()
            schedule(message, runs: runs) {
                let reply = await handler.handle(message, context: self.context)
                self.store.grouped(
                    self.record(message, id: id, reply: reply, replyTo: inbound.replyTo, asker: asker, release: release))
            }
            return true
        }
        batch.add(store.beginReceiveWrite(
            id: id, fromNode: fromNode, method: message.method.rawValue, replyTo: inbound.replyTo,
            expiresAt: message.expiresAt, now: .now,
            // A retry while it runs: its answer must go on the retry's subject. Noted in the write itself, so that the
            // run's finish, however soon it comes, finds it (its commit comes after this one).
            whileRunning: { [self] in retriedWhileRunning.withLock { _ = $0.insert(id) } }
        ) { [self] begun in
            switch begun {
            case .failure(let error):
                // Without the dedup record the message must not run; the sender retries. (Its slot is given back
                // once, below.)
                logger.error("cannot record message \(id): \(error)")
            case .success(.new):
                // Run at once in this commit's completion: those come in the order the messages arrived. Its
                // `received` line goes with its answer, in one append.
                if let atOnce {
                    batch.add(finish(message, id: id, reply: atOnce.handleNow(message, context: context),
                        replyTo: inbound.replyTo, asker: asker, received: received, gather: gather, release: release))
                    return
                }
                journalReceived()
                schedule(message, runs: runs) {
                    let reply = await handler.handle(message, context: self.context)
                    self.store.grouped(
                        self.finish(message, id: id, reply: reply, replyTo: inbound.replyTo, asker: asker, release: release))
                }
                return
            case .success(.running):
                // Unless its run ended meanwhile and answered on this retry's subject already.
                if retriedWhileRunning.withLock({ $0.contains(id) }) {
                    send(context.reply(to: message, .inProgress), to: inbound.replyTo, asker: asker)
                }
            case .success(.finished(let reply)):
                send(reply, to: inbound.replyTo, asker: asker)
            case .success(.interrupted):
                send(context.reply(to: message, .interrupted, error: "node \(context.node) stopped while running it; not run again"),
                    to: inbound.replyTo, asker: asker)
            }
            release()
        })
        return true
    }

    /// Starts `run`: at once, or, for a stream method, behind the runs of the same stream, so a
    /// log file reads in the order its lines were sent. Called in arrival order.
    private func schedule(
        _ message: Message, runs: RunTasks, _ run: @escaping @Sendable () async -> Void
    ) {
        guard let key = message.streamKey else { return runs.start(run) }
        if let worker = ordered.enqueue(key, run) { runs.start(worker) }
    }

    /// The write that records the result of a message recorded before it ran, and answers once that is durable.
    /// The run has ended before that commit: the next message of the same stream need not wait for it, only its
    /// answer does.
    private func finish(
        _ message: Message, id: String, reply: Reply, replyTo: String?, asker: Asker?, received: Journal.Entry? = nil,
        gather: ReceiveBatch? = nil, release: @escaping @Sendable () -> Void
    ) -> GroupCommit.Write {
        store.finishReceiveWrite(id: id, reply: reply, now: .now) { [self] error in
            if let error { logger.error("cannot record the result of message \(id): \(error)") }
            answer(message, id: id, reply: reply, replyTo: replyTo, asker: asker, received: received, gather: gather)
            release()
        }
    }

    /// The write that records a message that may run again, which has run, with its answer in one commit, and
    /// answers. Two copies of it (a retry that came while it ran) may both run; both answer with whichever result was
    /// stored first.
    private func record(
        _ message: Message, id: String, reply: Reply, replyTo: String?, asker: Asker?, received: Journal.Entry? = nil,
        gather: ReceiveBatch? = nil, release: @escaping @Sendable () -> Void
    ) -> GroupCommit.Write {
        let fromNode = message.fromNode ?? ""
        return store.recordRunWrite(id: id, fromNode: fromNode, method: message.method.rawValue, replyTo: replyTo, reply: reply,
            expiresAt: message.expiresAt, now: .now) { [self] recorded in
            switch recorded {
            case .success(let stored):
                answer(message, id: id, reply: stored, replyTo: replyTo, asker: asker, received: received, gather: gather)
            case .failure(let error):
                // Unrecorded, it is answered all the same: a retry runs it again, which it may.
                logger.error("cannot record the result of message \(id): \(error)")
                answer(message, id: id, reply: reply, replyTo: replyTo, asker: asker, received: received, gather: gather)
            }
            release()
        }
    }
}
