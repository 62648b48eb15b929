import Logging
import Synchronization

/// `--mailbox jetstream` on a central: its node registry (hellos, pinned keys, approvals) shared with every other
/// central on the same servers through the `BOSUN_NODES` key-value bucket, so two operators' consoles on two data
/// directories see the same nodes. Each central puts what it learns (a hello, a key, a decision) under the node's
/// name and takes in what the others put: the later sighting wins for hellos, the latest put for keys and
/// decisions.
final class NodeRegistrySync: Sendable {
    static let bucket = "BOSUN_NODES"

    private let logger: Logger
    private let interval: Duration
    /// What the bucket holds, as far as this central knows (its own puts and what it took in).
    private let shared = Mutex<[String: NodeRegistryEntry]>([:])

    init(logger: Logger, interval: Duration = .seconds(1)) {
        self.logger = logger
        self.interval = interval
    }

    /// Shares the registry until cancelled. A failure (the servers away, say) is logged and the sharing starts
    /// again after a pause: it never stops the mailbox beside it.
    func run(_ js: JetStream, replicas: Int, store: Store) async {
        let backoff = Backoff(initial: 1, cap: 30)
        var failures = 0
        while !Task.isCancelled {
            do {
                try await share(js, replicas: replicas, store: store)
            } catch {
                if Task.isCancelled { return }
                failures += 1
                let wait = backoff.delay(afterAttempt: failures)
                logger.warning("sharing the node registry: \(error); again in \(Int(wait.seconds.rounded(.up))) s")
                try? await Task.sleep(for: wait)
            }
        }
    }

    private func share(_ js: JetStream, replicas: Int, store: Store) async throws {
        let bucket = try await js.keyValue(bucket: Self.bucket, replicas: replicas)
        logger.info("sharing the node registry", metadata: ["bucket": "\(Self.bucket)"])
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask {
                for try await entry in bucket.watchAll() { try self.takeIn(entry, store: store) }
            }
            group.addTask {
                while true {
                    try await self.putNews(bucket, store: store)
                    try await Task.sleep(for: self.interval)
                }
            }
        }
    }

    /// Puts each node this central knows better than the bucket.
    private func putNews(_ bucket: JetStreamKeyValue, store: Store) async throws {
        for record in try store.nodes() {
            let mine = NodeRegistryEntry(record)
            let known = shared.withLock { $0[record.name] }
            let step = Int64(max(5, (record.helloInterval ?? 10) / 2) * 1000)
            guard mine.isNews(over: known, seenStep: step) else { continue }
            try await bucket.put(record.name, try mine.encoded())
            shared.withLock { $0[record.name] = mine }
        }
    }

    /// Takes in a node as another central put it.
    private func takeIn(_ put: KeyValueEntry, store: Store) throws {
        guard NodeName.isValid(put.key), let entry = try? NodeRegistryEntry.decode(put.value) else {
            logger.warning("skipping an entry of \(Self.bucket) that is not a node", metadata: ["key": "\(put.key)"])
            return
        }
        let node = put.key
        guard shared.withLock({ $0[node] }) != entry else { return }
        shared.withLock { $0[node] = entry }
        let local = try store.node(named: node)
        if let seen = entry.lastSeen, seen > local?.lastSeen?.millisecondsSinceEpoch ?? Int64.min {
            let at = Timestamp(millisecondsSinceEpoch: seen)
            if entry.saidBye {
                try store.recordBye(node: node, at: at)
            } else {
                try store.recordHello(node: node, facts: entry.facts.map { Array($0.utf8) },
                    helloInterval: entry.helloInterval, at: at)
            }
        }
        guard let key = entry.publicKey, let state = entry.keyState.flatMap(Store.KeyState.init(rawValue:)) else { return }
        let now = Timestamp.now
        switch try store.keyRecord(node: node) {
        case nil:
            _ = try store.pinKey(node: node, key: key, state: state, at: now)
        case let record? where record.publicKey != key:
            // Replaced by the central that saw the node prove its new key with its old one (a rotation).
            try store.replaceKey(node: node, with: key, at: now)
            if record.state != state { try store.decide(node: node, state, at: now) }
        case let record? where record.state != state:
            try store.decide(node: node, state, at: now)
        default:
            break
        }
    }
}
