import FoundationEssentials

/// What a node tells the central node about itself in every `hello` (the message's `data`, as JSON).
public struct Hello: Sendable, Equatable, Codable {
    public var version: String
    public var hostname: String?
    public var os: String?
    public var kernel: String?
    public var arch: String?
    /// Seconds the machine has been up.
    public var uptime: Double?
    /// 1-minute load average.
    public var load: Double?
    public var startedAt: Timestamp?
    /// Seconds between this node's hellos; liveness is judged against it.
    public var helloInterval: Double
    public var methods: [String]
    /// The key the node signs with (base64 ed25519); the central node pins it on first sight.
    public var publicKey: String?
    /// What the node declares about itself (`agent.json`'s `labels`): operators target nodes by them.
    public var labels: [String: String]?
    /// The node runs unsigned messages (`--insecure-accept-unsigned`): shown as a warning wherever it is listed.
    public var insecure: Bool?
    /// A key rotation (`bosun-agent --rotate-key`): the key the node signed with before, and that key's signature
    /// of the new one (``Hello/rotationBytes(node:newKey:)``), so the central node takes the new key without alarm.
    public var previousKey: String?
    public var rotationSignature: String?
    /// How many times the node's NATS connection came back since the agent started (its link's health).
    public var reconnects: Int?

    public init(
        version: String, hostname: String? = nil, os: String? = nil, kernel: String? = nil, arch: String? = nil,
        uptime: Double? = nil, load: Double? = nil, startedAt: Timestamp? = nil, helloInterval: Double,
        methods: [String], publicKey: String? = nil, labels: [String: String]? = nil, reconnects: Int? = nil
    ) {
        self.reconnects = reconnects
        self.publicKey = publicKey
        self.labels = labels
        self.version = version
        self.hostname = hostname
        self.os = os
        self.kernel = kernel
        self.arch = arch
        self.uptime = uptime
        self.load = load
        self.startedAt = startedAt
        self.helloInterval = helloInterval
        self.methods = methods
    }

    /// What a node's previous key signs to hand over to its new one.
    public static func rotationBytes(node: String, newKey: String) -> [UInt8] {
        Array("bosun-rotate-v1\n\(node)\n\(newKey)".utf8)
    }

    /// Whether this hello carries `oldKey`'s signature handing `node` over to the key it announces.
    public func proves(rotationFrom oldKey: String, node: String) -> Bool {
        guard let publicKey, previousKey == oldKey, let rotationSignature else { return false }
        return NodeKey.verify(Self.rotationBytes(node: node, newKey: publicKey), signature: rotationSignature, publicKey: oldKey)
    }

    public func encoded() -> [UInt8] { (try? Array(JSONLines.encoder.encode(self))) ?? [] }

    public static func decode(_ bytes: some Collection<UInt8>) -> Hello? {
        try? JSONDecoder().decode(Hello.self, from: Data(bytes))
    }
}
