/// How a node connects to NATS.
public struct NATSConfiguration: Sendable, Equatable {
    /// Server URLs (`nats://user:pass@host:4222`, `nats://token@host:4222`, `tls://host:4222`), tried in order.
    public var servers: [String]
    /// The client name the server shows for this connection.
    public var name: String = "bosun"
    /// Seconds to wait for one connection attempt.
    public var connectTimeout: Double = 5
    /// Seconds between reconnect attempts to the same server, before jitter.
    public var reconnectWait: Double = 1
    /// Up to this many seconds (`reconnectJitterTLS` for TLS) are added at random to each reconnect wait,
    /// so that a fleet does not reconnect in lockstep after an outage.
    public var reconnectJitter: Double = 1
    public var reconnectJitterTLS: Double = 2
    /// Bytes of publishes buffered while reconnecting; beyond it a publish fails.
    public var reconnectBufferSize: Int = 8 * 1024 * 1024
    /// Write each publish at once instead of waiting for the flusher: cuts a reply's latency from ~1 ms to
    /// ~0.2 ms, but lowers bulk throughput, so it is on for nodes that answer requests.
    public var sendAsap: Bool = false
    /// Credentials: a `.creds` file (user JWT and NKey seed).
    public var credentialsFile: String?
    /// Credentials: an NKey public key and the file holding its seed.
    public var nkeyPublicKey: String?
    public var nkeySeedFile: String?
    /// TLS: trust these CA certificates (PEM file); setting any TLS option requires TLS.
    public var tlsCAFile: String?
    /// TLS: client certificate and key (PEM files) for servers that verify clients.
    public var tlsCertificateFile: String?
    public var tlsKeyFile: String?
    /// Require TLS even with no TLS file given.
    public var tlsRequired: Bool = false
    /// Reply inboxes are `<inboxPrefix>.<random>`. A node's own prefix (``inboxPrefix(for:)``) lets NATS
    /// permissions keep every other user from the answers it is sent (`bosun nats-users`).
    public var inboxPrefix: String = "_INBOX"
    /// Deliver every subscription's messages from libnats's shared thread pool instead of a thread per
    /// subscription: for a process with thousands of subscriptions (a simulated swarm).
    public var sharedDelivery: Bool = false

    public init(servers: [String]) {
        self.servers = servers
    }

    /// The inbox prefix of a node: `_INBOX.<node>`.
    public static func inboxPrefix(for node: String) -> String { "_INBOX.\(node)" }

    /// The URLs to show people: user names, passwords and tokens replaced by `***`.
    public var displayServers: String {
        servers.map(Self.redact).joined(separator: ",")
    }

    static func redact(_ url: String) -> String {
        let parts = url.split(separator: "/", maxSplits: 3, omittingEmptySubsequences: false)
        // "nats://user:pass@host:4222" splits into ["nats:", "", "user:pass@host:4222", …].
        guard parts.count >= 3, parts[0].hasSuffix(":"), parts[1].isEmpty, let at = parts[2].lastIndex(of: "@") else {
            return url
        }
        let rest = parts.count > 3 ? "/" + parts[3] : ""
        return "\(parts[0])//***\(parts[2][at...])\(rest)"
    }
}
