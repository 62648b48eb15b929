/// What the central node knows of a node, from its hellos.
public struct NodeRecord: Sendable, Equatable {
    public var name: String
    /// The facts from the node's latest hello that had them: a JSON object, kept as sent.
    public var facts: [UInt8]?
    /// When the node was last heard from.
    public var lastSeen: Timestamp?
    /// Seconds between the node's hellos, as it announced them; liveness is judged against it.
    public var helloInterval: Double?
    /// Whether the node said goodbye (a clean shutdown) since its last hello.
    public var saidBye: Bool
    /// When the node was first heard from.
    public var firstSeen: Timestamp
    /// The key the node signs with, and whether the operator approved it (nil: none on record).
    public var publicKey: String?
    public var keyState: Store.KeyState?
    /// Its last hello said it runs unsigned messages (`--insecure-accept-unsigned`).
    public var insecure: Bool

    public init(
        name: String, facts: [UInt8]? = nil, lastSeen: Timestamp? = nil, helloInterval: Double? = nil,
        saidBye: Bool = false, firstSeen: Timestamp, publicKey: String? = nil, keyState: Store.KeyState? = nil,
        insecure: Bool = false
    ) {
        self.publicKey = publicKey
        self.keyState = keyState
        self.insecure = insecure
        self.name = name
        self.facts = facts
        self.lastSeen = lastSeen
        self.helloInterval = helloInterval
        self.saidBye = saidBye
        self.firstSeen = firstSeen
    }
}
