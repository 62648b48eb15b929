import FoundationEssentials

/// One node as a central knows it, shared in the `BOSUN_NODES` key-value bucket under the node's name
/// (`--mailbox jetstream`): its latest hello, when it was last seen, and its key with the operator's decision.
struct NodeRegistryEntry: Codable, Equatable, Sendable {
    /// The hello's facts (its JSON), as received.
    var facts: String?
    /// Milliseconds since the epoch.
    var lastSeen: Int64?
    var helloInterval: Double?
    var saidBye: Bool
    var publicKey: String?
    /// `approved`, `pending` or `rejected`.
    var keyState: String?

    init(_ record: NodeRecord) {
        facts = record.facts.map { String(decoding: $0, as: UTF8.self) }
        lastSeen = record.lastSeen?.millisecondsSinceEpoch
        helloInterval = record.helloInterval
        saidBye = record.saidBye
        publicKey = record.publicKey
        keyState = record.keyState?.rawValue
    }

    func encoded() throws -> [UInt8] { Array(try JSONEncoder().encode(self)) }

    static func decode(_ bytes: [UInt8]) throws -> NodeRegistryEntry {
        try JSONDecoder().decode(NodeRegistryEntry.self, from: Data(bytes))
    }

    /// Whether this central's view (`self`) has news for the bucket's (`shared`): a new key, decision or hello,
    /// or a sighting at least `seenStep` milliseconds later (sightings move with every hello; the bucket need not).
    func isNews(over shared: NodeRegistryEntry?, seenStep: Int64) -> Bool {
        guard let shared else { return true }
        var sameSighting = self
        sameSighting.lastSeen = shared.lastSeen
        return sameSighting != shared || (lastSeen ?? 0) - (shared.lastSeen ?? 0) >= seenStep
    }
}
