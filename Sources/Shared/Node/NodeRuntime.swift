import Logging
import ServiceLifecycle
import Synchronization

/// One node's engine, the same on every node: store, journal, outbox, receiver, inputs and (off the central
/// node) the hello loop. The agent runs it; so does `bosun --headless` and the console on the central node.
public final class NodeRuntime: Service, Sendable {
    public struct Configuration: Sendable {
        public var node: String
        public var centralNode = Wire.centralNode
        public var dataDirectory: String
        public var nats: NATSConfiguration
        public var defaults = DeliveryDefaults.standard
        /// Seconds between hellos to the central node; nil sends none (the central node itself).
        public var helloInterval: Double?
        /// Watch inmsg.txt and inbox/.
        public var watchInputs = true
        /// Which signed messages this node runs (the keys of `<data-dir>/trusted-keys` are added at start).
        public var trust = TrustPolicy()
        /// Seconds over which refusals of one kind from one sender make one line of the error log.
        public var refusalInterval: Double = 60
        /// The node's signing key; nil: `<data-dir>/node.key`, created on first start.
        public var keyPath: String?
        /// The ACL file; nil: `<data-dir>/acl.json` when it exists (else no ACL: the trust policy decides).
        public var accessListPath: String?
        /// Make a new signing key at start, endorsed by the old one (`bosun-agent --rotate-key`).
        public var rotateKey = false
        /// Labels sent in the hello (`site: barn`), for targeting.
        public var labels: [String: String] = [:]
        /// `jetstream`: accepted messages also go to the servers' mailbox stream, and this node reads its own.
        public var mailbox = MailboxMode.outbox
        /// Whether messages and answers are signed (or answered with a MAC). false only with `trust.acceptUnsigned`:
        /// the engine without cryptography, for `bosun-bench` (`--insecure-sign-nothing`, hidden). Hellos stay signed.
        public var signs = true

        public init(node: String, dataDirectory: String, nats: NATSConfiguration) {
            self.node = node
            self.dataDirectory = dataDirectory
            self.nats = nats
        }
    }

    public let configuration: Configuration
    public let store: Store
    public let journal: Journal
    public let connection: NATSConnection
    public let errors: ErrorReporter
    public let outbox: Outbox
    public let receiver: Receiver
    /// Restarts the parts that fail; its states show in `status`.
    public let supervisor: Supervisor
    /// Set with `--mailbox jetstream`.
    public let mailbox: JetStreamMailbox?
    /// The key this node signs its messages and answers with (``rotateKey()`` replaces it).
    public let keys: KeyRing
    public var key: NodeKey { keys.current }
    /// The trust policy in force: the configured one, with the data directory's trusted keys.
    public let trust: TrustPolicy
    private let lock: DataDirectoryLock
    /// The ACL file this node reads, and when it was last read.
    private let accessListPath: String
    private let accessListStamp = Mutex<Int64?>(nil)
    /// Reconnections since start, sent in each hello.
    private let reconnects = Atomic<Int>(0)
    let logger: Logger

    /// Opens the data directory (taking its lock) and connects to NATS, retrying for `connectFor` (nil: forever).
    public init(
        configuration: Configuration, connectFor: Duration?, logger: Logger,
        handlers: @Sendable (Store, ErrorReporter) -> [Method: any MethodHandler]
    ) async throws {
        let directory = configuration.dataDirectory
        // Before anything is opened, locked or rotated.
        guard configuration.signs || configuration.trust.acceptUnsigned else {
            throw NodeError("--insecure-sign-nothing needs --insecure-accept-unsigned: a node that signs nothing is for a lab whose nodes take unsigned messages")
        }
        // Payloads of 128 KiB and more get pages of their own, given back when freed. glibc otherwise raises
        // this threshold to the size of the largest block freed, so after one large message every later one
        // comes from the heap, and a flood of large refused payloads would stay as resident memory.
        MallocTuning.setMmapThreshold(128 * 1024)
        // Setting that threshold leaves the trim threshold at 128 KiB: every heap whose free top passes it is
        // given back (madvise) and faulted in again at the next burst, a fifth of a busy sender's CPU. 2 MiB a
        // heap keeps it (`bosun-bench run`: 520 → 360 µs a message).
        MallocTuning.setTrimThreshold(2 * 1024 * 1024)
        guard let lock = try DataDirectoryLock(dataDirectory: directory) else {
            throw NodeError("data directory \(directory) is in use by another bosun process (see \(directory)/bosun.lock)")
        }
        self.lock = lock
        self.configuration = configuration
        accessListPath = configuration.accessListPath ?? directory + "/acl.json"
        if configuration.accessListPath != nil, !FileSystem.exists(accessListPath) {
            throw NodeError("ACL file \(accessListPath) does not exist")
        }
        let accessList = try FileSystem.exists(accessListPath) ? AccessList.load(path: accessListPath) : nil
        self.logger = logger
        store = try Store(path: directory + "/state.db")
        let keyPath = configuration.keyPath ?? directory + "/node.key"
        let key =
            configuration.rotateKey && FileSystem.exists(keyPath)
            ? try KeyRotation.rotate(keyPath: keyPath, node: configuration.node, dataDirectory: directory)
            : try NodeKey.loadOrCreate(path: keyPath)
        if configuration.rotateKey {
            // What waits to be sent was signed by the old key: the lanes sign it again with the new one.
            try store.forgetUnfinishedSignatures()
            logger.notice("rotated the signing key; hellos carry the old key's endorsement of the new one")
        }
        // The central node's key being retired, while its rotation is under way (an agent's own rotation leaves its
        // old key beside the new one too, but nothing is checked with it any more).
        let isCentral = configuration.node == configuration.centralNode
        keys = KeyRing(key, previous: isCentral && !configuration.rotateKey ? Self.previousKey(keyPath: keyPath) : nil)
        var trust = configuration.trust
        trust.pinsNodes = configuration.node == configuration.centralNode
        trust.learned = LearnedKeys(try TrustedKeys.read(dataDirectory: directory))
        // What this node sent itself (its own socket, its own inputs) is its own.
        trust.ownKey = key.publicKey
        self.trust = trust
        if !configuration.signs {
            logger.warning("INSECURE: --insecure-sign-nothing: \(configuration.node) signs no message and no answer")
        }
        logger.notice("signing key \(key.publicKey) (\(NodeKey.fingerprint(of: key.publicKey) ?? "?"))")
        Self.warn(about: trust, node: configuration.node, dataDirectory: directory, logger: logger)
        journal = try Journal(path: directory + "/journal.jsonl")
        connection = try await NATSConnection.connect(configuration.nats, retryFor: connectFor) { error, wait in
            logger.warning("\(error); retrying in \(Int(wait.seconds.rounded(.up))) s")
        }
        logger.info("connected to NATS", metadata: ["server": "\(connection.connectedURL ?? "")"])
        errors = ErrorReporter(
            node: configuration.node, centralNode: configuration.centralNode, dataDirectory: directory, logger: logger)
        var outboxConfiguration = Outbox.Configuration(node: configuration.node, defaults: configuration.defaults)
        outboxConfiguration.key = configuration.signs ? keys : nil
        outboxConfiguration.trust = trust
        outboxConfiguration.signsEveryMessage = configuration.mailbox == .jetstream
        outbox = Outbox(
            configuration: outboxConfiguration,
            store: store, journal: journal, transport: connection, errors: errors, logger: logger)
        errors.attach(outbox)
        mailbox = configuration.mailbox == .jetstream ? try JetStreamMailbox(
            connection: connection, node: configuration.node, dataDirectory: directory,
            maxAge: .seconds(configuration.defaults.ttl), keepResults: .seconds(configuration.defaults.keepResults),
            window: configuration.defaults.window, sharesRegistry: configuration.node == configuration.centralNode,
            keys: configuration.signs ? keys : nil, logger: logger) : nil
        supervisor = Supervisor { [errors, node = configuration.node] part, reason in
            errors.report(ErrorRecord(node: node, kind: .node, error: "\(part) on \(node) stopped: \(reason)"))
        }
        let context = HandlerContext(
            node: configuration.node, dataDirectory: directory, accept: { [outbox] in try outbox.accept($0) },
            parts: { [supervisor] in supervisor.parts.mapValues(\.description) })
        let handlers = ReplyHandlers.make(store: store, journal: journal, outbox: outbox)
            .merging([.trustKey: TrustKeyHandler(learned: trust.learned)]) { _, given in given }
            .merging(handlers(store, errors)) { _, given in given }
        receiver = Receiver(
            connection: connection, context: context, handlers: handlers, store: store,
            journal: journal, errors: errors, logger: logger, maxConcurrentRuns: configuration.defaults.maxConcurrentRuns,
            trust: trust, key: configuration.signs ? keys : nil, audit: AuditLog(path: directory + "/audit.jsonl"),
            refusalInterval: configuration.refusalInterval,
            heard: { [outbox] in outbox.heard(from: $0) })
        receiver.replaceAccessList(accessList)
        accessListStamp.withLock { $0 = FileSystem.modificationTime(accessListPath) }
        if accessList != nil { logger.info("ACL in force", metadata: ["file": "\(accessListPath)"]) }
    }

    /// Reads the ACL file again (SIGHUP, or the file changed). A file that cannot be used keeps the ACL in force
    /// and goes to the log and the central error handler; a file that is gone leaves the trust policy alone.
    public func reloadAccessList() {
        accessListStamp.withLock { $0 = FileSystem.modificationTime(accessListPath) }
        guard FileSystem.exists(accessListPath) else {
            receiver.replaceAccessList(nil)
            logger.notice("no ACL file any more; the trust policy alone decides", metadata: ["file": "\(accessListPath)"])
            return
        }
        do {
            receiver.replaceAccessList(try AccessList.load(path: accessListPath))
            logger.notice("ACL reloaded", metadata: ["file": "\(accessListPath)"])
        } catch {
            logger.error("\(error); the previous ACL stays in force")
            errors.report(ErrorRecord(node: configuration.node, kind: .node, error: "\(error); the previous ACL stays in force"))
        }
    }

    /// Reloads the ACL when its file changes: watched with inotify, so an idle node is not woken for it.
    private func watchAccessList() async throws {
        try await AccessListWatcher(path: accessListPath).run(
            lastRead: { self.accessListStamp.withLock { $0 } }, changed: { self.reloadAccessList() })
    }

    /// The first half of a graceful stop: take no new messages, and let the running ones finish (up to `grace`, or
    /// until the task is cancelled); then the parts stop, and ``run()`` says bye and flushes the outbox's state.
    public func finishRunning(grace: Duration) async {
        logger.notice("stopping: no new messages; waiting up to \(grace.components.seconds) s for running ones")
        receiver.stopTaking()
        let deadline = ContinuousClock.now + grace
        var idle = await receiver.waitUntilIdle(timeout: .zero)
        while !idle, !Task.isCancelled, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
            idle = await receiver.waitUntilIdle(timeout: .zero)
        }
        if !idle {
            logger.warning("stopping with messages still running after the grace period; they will answer interrupted")
        }
    }

    /// Accepts messages into the outbox; `*` expands to every node the registry knows.
    @discardableResult
    public func accept(_ messages: [Message]) throws -> [OutboxRecord] {
        // `*` names every known node: the registry is read only for a message that says it.
        let everyNode = messages.contains { $0.destinations.contains(NodeName.everyNode) }
        let known = everyNode ? (try? store.nodes().map(\.name)) ?? [] : []
        defer {
            // A large batch (an input file) is parsed whole; once it is in the store, the memory that took goes back
            // to the system instead of staying with the process (the backlog itself lives on disk).
            if messages.count >= Self.largeBatch { MallocTuning.trim() }
        }
        let records = try outbox.accept(messages, knownNodes: known)
        mailbox?.accepted(records)
        return records
    }

    /// Messages in a batch past which accepting it returns the memory its parsing took.
    static let largeBatch = 1000

    /// Runs every part, as members of one `ServiceGroup`, until the task is cancelled or the group it runs in shuts
    /// down gracefully (the parts stop in the reverse of their order: inputs before the receiver and the outbox);
    /// then says bye and flushes.
    public func run() async throws {
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: parts(), logger: logger))
        do {
            try await group.run()
        } catch is CancellationError {
        }
        if configuration.helloInterval != nil { announce(.bye) }
        try? await connection.flush(timeout: .seconds(2))
    }

    /// The node's long-lived parts, each restarted by the supervisor when it fails.
    private func parts() -> [ServiceGroupConfiguration.ServiceConfiguration] {
        let intake = InputIntake(
            dataDirectory: configuration.dataDirectory, node: configuration.node, errors: errors,
            accept: { [self] in try self.accept($0) })
        var parts = [
            supervisor.service("outbox") { try await self.outbox.run() },
            supervisor.service("receiver") { try await self.receiver.run() },
        ]
        if configuration.watchInputs {
            parts.append(supervisor.service("inputs", essential: false) { try await InputWatcher(intake: intake).run() })
            parts.append(
                supervisor.service("socket", essential: false) {
                    try await SocketInput(intake: intake, logger: self.logger).run()
                })
        }
        parts.append(supervisor.service("pruning", essential: false) { try await self.pruneLoop() })
        if let mailbox {
            parts.append(supervisor.service("mailbox") { try await mailbox.run(store: self.store) })
        }
        parts.append(supervisor.service("acl", essential: false) { try await self.watchAccessList() })
        if let interval = configuration.helloInterval {
            parts.append(supervisor.service("hello", essential: false) { try await self.helloLoop(every: interval) })
        }
        if configuration.node == configuration.centralNode {
            let greeting = PartService("greeting") { await self.greetNodes() }
            parts.append(.init(service: greeting, successTerminationBehavior: .ignore, serviceName: "\(greeting)"))
        }
        let events = PartService("NATS events") {
            for await event in self.connection.events {
                self.logger.notice("NATS: \(event)")
                if case .reconnected = event {
                    self.reconnects.add(1, ordering: .relaxed)
                    self.outbox.probeAll()
                }
            }
        }
        parts.append(.init(service: events, successTerminationBehavior: .ignore, serviceName: "\(events)"))
        return parts
    }

    /// Deletes final outbox records and stored results older than `keepResults`: at start, then hourly.
    private func pruneLoop() async throws {
        let keep = configuration.defaults.keepResults
        while !Task.isCancelled {
            let now = Timestamp.now
            let before = now.adding(seconds: -keep)
            do {
                let sent = try store.pruneOutbox(finishedBefore: before)
                let received = try store.pruneReceived(finishedBefore: before, now: now)
                if sent + received > 0 {
                    logger.info("pruned old messages", metadata: ["sent": "\(sent)", "received": "\(received)"])
                }
            } catch {
                logger.error("cannot prune old messages: \(error)")
            }
            try await Task.sleep(for: .seconds(min(3600, max(1, keep / 10))))
        }
    }

    private func helloLoop(every interval: Double) async throws {
        while !Task.isCancelled {
            announce(.hello)
            // ±20% jitter, so a fleet restarted together does not hello in lockstep.
            try await Task.sleep(for: .seconds(interval * Double.random(in: 0.8...1.2)))
        }
    }

    /// Publishes a hello or bye to the central node (EventNACK: once, no outbox).
    private func announce(_ method: Method) {
        var hello = Hello(
            version: BosunVersion.current, hostname: SystemFacts.hostname, os: SystemFacts.osName,
            kernel: SystemFacts.kernel, arch: SystemFacts.architecture, uptime: SystemFacts.uptime,
            load: SystemFacts.load, startedAt: SystemFacts.processStart,
            helloInterval: configuration.helloInterval ?? LivenessDefaults.helloInterval,
            methods: receiver.methods.map(\.rawValue), publicKey: key.publicKey, labels: configuration.labels.isEmpty ? nil : configuration.labels,
            reconnects: reconnects.load(ordering: .relaxed))
        hello.insecure = trust.acceptUnsigned ? true : nil
        if let rotation = KeyRotation.endorsement(dataDirectory: configuration.dataDirectory) {
            hello.previousKey = rotation.previousKey
            hello.rotationSignature = rotation.signature
        }
        publishOnce(Message(
            toNode: configuration.centralNode, method: method, data: String(decoding: hello.encoded(), as: UTF8.self)))
    }

    /// The central node, once it takes messages again, pings every node it knows that the operator has not rejected
    /// (EventNACK: once, no outbox, no answer). A node's outbox, which may have been waiting out a long backoff since
    /// the central node went away, hears from it and sends what it queued at once.
    private func greetNodes() async {
        await receiver.waitUntilListening()
        guard let nodes = try? store.nodes() else { return }
        for node in nodes where node.keyState != .rejected && node.name != configuration.node {
            publishOnce(Message(toNode: node.name, messageType: .eventNACK, method: .ping))
        }
        if !nodes.isEmpty { logger.info("told the nodes this node is back", metadata: ["nodes": "\(nodes.count)"]) }
    }

    /// Publishes `draft`, signed, once and without the outbox: what is lost is not sent again.
    private func publishOnce(_ draft: Message) {
        guard let message = try? draft.accepted(from: configuration.node, defaults: configuration.defaults).first,
            let subject = message.subject?.description
        else { return }
        let payload = message.encoded()
        try? connection.publish(subject, payload: payload, signature: key.signature(subject: subject, payload: payload))
    }

    /// Says at every start what this node will refuse, or that it refuses nothing unsigned.
    private static func warn(about trust: TrustPolicy, node: String, dataDirectory: String, logger: Logger) {
        if trust.acceptUnsigned {
            logger.warning(
                "INSECURE: --insecure-accept-unsigned: \(node) runs unsigned messages from anyone who can reach its NATS server")
        } else if !trust.hasTrustedKeys, !trust.pinsNodes {
            logger.warning(
                """
                \(node) trusts no key: it answers ping, status, hello and bye, and refuses everything else. Run `bosun keys \
                show` on the central node, then start it with --trust KEY (or put the key in \(dataDirectory)/\(TrustedKeys.fileName))
                """)
        }
        if trust.autoApprove, trust.pinsNodes {
            logger.warning("--auto-approve: every new node that says hello is let in without an operator")
        }
    }
}

/// A failure to start a node: the data directory is taken or unusable.
public struct NodeError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
