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

    public func encoded() -> [UInt8] { (try? Array(JSONLines.encoder.encode(self))) ?? [] }

    public static func decode(_ bytes: some Collection<UInt8>) -> Hello? {
        try? JSONDecoder().decode(Hello.self, from: Data(bytes))
    }
}
