/// The central node's key rotation: a new key, handed to every approved node by a message signed with the old
/// one; the old key retired once every node has the new one.
extension NodeRuntime {
    /// What a rotation did.
    public struct Rotation: Sendable {
        public var previousKey: String
        public var newKey: String
        /// The approved nodes sent the new key.
        public var nodes: [String]
    }

    /// Where a node in a rotation stands: whether it acknowledged the new key.
    public struct RotationProgress: Sendable, Equatable {
        public var node: String
        /// The state of the `trustKey` message that carries the new key to it; nil when it was sent none.
        public var state: OutboxState?
    }

    /// How long a key message waits for a node that is down: a rotation must reach nodes away for long.
    static let keyMessageTTL: Double = 90 * 24 * 3600

    var keyPath: String { configuration.keyPath ?? configuration.dataDirectory + "/node.key" }

    /// The key being retired, while a rotation is under way.
    public static func previousKey(keyPath: String) -> NodeKey? {
        FileSystem.exists(keyPath + ".previous") ? try? NodeKey.load(path: keyPath + ".previous") : nil
    }

    /// Makes a new key, sends it to every approved node in a message signed by the old key (each delivered in
    /// order: what was accepted before it, signed by the old key, goes first; what comes after, signed by the new
    /// key, waits for it), and signs with the new key from now on. The old key stays beside the new one
    /// (`node.key.previous`) until ``retireKey(_:)``.
    public func rotateKey() throws -> Rotation {
        guard trust.pinsNodes else {
            throw NodeError("only the central node rotates its key with `bosun keys rotate`; an agent rotates with `bosun-agent --rotate-key`")
        }
        let old = keys.current
        if let previous = Self.previousKey(keyPath: keyPath) {
            throw NodeError(
                "a rotation is under way already: see `bosun keys rotate --status`, then `bosun keys retire \(previous.publicKey)`")
        }
        let new = NodeKey()
        try old.save(path: keyPath + ".previous")
        try new.save(path: keyPath + ".new")
        try FileSystem.rename(keyPath + ".new", to: keyPath)
        let nodes = try store.keyRecords().filter { $0.state == .approved }.map(\.node)
        try accept(nodes.map { Self.keyMessage(to: $0, ["add", new.publicKey]) }, signer: old)
        keys.replace(with: new)
        return Rotation(previousKey: old.publicKey, newKey: new.publicKey, nodes: nodes)
    }

    /// Which approved nodes have the current key, from the `trustKey` messages that carried it.
    public func rotationProgress() throws -> [RotationProgress] {
        try Self.rotationProgress(store: store, newKey: key.publicKey)
    }

    public static func rotationProgress(store: Store, newKey: String) throws -> [RotationProgress] {
        let sent = try store.outboxRecords(method: .trustKey, limit: 100_000)
            .filter { $0.message.methodArgs == ["add", newKey] }
        var latest: [String: OutboxState] = [:]
        for record in sent.reversed() { if let node = record.message.toNode { latest[node] = record.state } }
        return try store.keyRecords().filter { $0.state == .approved }.map { RotationProgress(node: $0.node, state: latest[$0.node]) }
    }

    /// Once every approved node acknowledged the new key: tells each to revoke `old` (signed by the new key) and
    /// forgets the old key. Returns the nodes told.
    public func retireKey(_ old: String) throws -> [String] {
        guard let previous = Self.previousKey(keyPath: keyPath), previous.publicKey == old else {
            throw NodeError("\(old) is not the key being retired (no rotation under way, or another key)")
        }
        let missing = try rotationProgress().filter { $0.state != .acked }.map(\.node)
        guard missing.isEmpty else {
            throw NodeError(
                "not every node has the new key yet (\(missing.joined(separator: ", "))): retiring the old one now would cut them off; see `bosun keys rotate --status`")
        }
        let nodes = try store.keyRecords().filter { $0.state == .approved }.map(\.node)
        try accept(nodes.map { Self.keyMessage(to: $0, ["revoke", old]) })
        // Gone from disk, or the retirement fails: one that did not take would bring the old key back at the next
        // start (the revocations are on their way: a second `keys retire` sends them again).
        do {
            try FileSystem.removeIfPresent(keyPath + ".previous")
        } catch {
            throw NodeError("cannot retire \(old): \(error)")
        }
        keys.retirePrevious()
        return nodes
    }

    private static func keyMessage(to node: String, _ arguments: [String]) -> Message {
        var message = Message(toNode: node, method: .trustKey, methodArgs: arguments, ttl: keyMessageTTL)
        message.sequential = true
        return message
    }

    private func accept(_ messages: [Message], signer: NodeKey? = nil) throws {
        guard !messages.isEmpty else { return }
        try outbox.accept(messages, knownNodes: [], signer: signer)
    }
}
