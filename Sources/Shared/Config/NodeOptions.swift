#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

import ArgumentParser
import Logging

/// The options every Bosun program takes: who this node is, where NATS is, where its data lives.
public struct NodeOptions: ParsableArguments, Sendable {
    @Option(help: ArgumentHelp("This node's name (letters, digits, - and _). Env: BOSUN_NODE.", valueName: "name"))
    public var node: String?

    @Option(
        help: ArgumentHelp(
            "NATS server URL(s), comma-separated; user:password@ or token@ in the URL authenticate. Env: BOSUN_SERVER. Default: nats://127.0.0.1:4222.",
            valueName: "url"))
    public var server: String?

    @Option(
        name: .customLong("data-dir"),
        help: ArgumentHelp("This node's data directory. Env: BOSUN_DATA_DIR.", valueName: "dir"))
    public var dataDirectory: String?

    @Option(help: ArgumentHelp("Seconds to wait for one connection attempt to NATS.", valueName: "seconds"))
    public var connectTimeout: Double = 5

    @Option(help: ArgumentHelp("NATS credentials file (.creds: user JWT and NKey seed).", valueName: "file"))
    public var creds: String?

    @Option(help: ArgumentHelp("NKey public key for NATS authentication; use with --nkey-seed.", valueName: "key"))
    public var nkey: String?

    @Option(help: ArgumentHelp("File holding the NKey seed for --nkey.", valueName: "file"))
    public var nkeySeed: String?

    @Option(help: ArgumentHelp("CA certificates (PEM) to verify the NATS server's TLS certificate.", valueName: "file"))
    public var tlsCA: String?

    @Option(help: ArgumentHelp("Client certificate (PEM) for NATS servers that verify clients.", valueName: "file"))
    public var tlsCert: String?

    @Option(help: ArgumentHelp("Key (PEM) of --tls-cert.", valueName: "file"))
    public var tlsKey: String?

    @Flag(help: "Require TLS to the NATS server.")
    public var tls = false

    @Option(help: ArgumentHelp("Name of the central node (hellos, errors and logs go there).", valueName: "name"))
    public var central: String = Wire.centralNode

    @Option(help: ArgumentHelp("Default seconds to wait for an ACK per attempt (default 10).", valueName: "seconds"))
    public var ackTimeout: Double?

    @Option(help: ArgumentHelp("Default attempts after the first; 0 = until the ttl (default 0).", valueName: "n"))
    public var retries: Int?

    @Option(help: ArgumentHelp("Default seconds before the first retry; doubles up to 60 s, ±20% (default 1).", valueName: "seconds"))
    public var retryWait: Double?

    @Option(help: ArgumentHelp("Default seconds a message may wait for delivery (default 604800: 7 days).", valueName: "seconds"))
    public var ttl: Double?

    @Option(help: ArgumentHelp("Default seconds a method may run on the receiver (default 60).", valueName: "seconds"))
    public var methodTimeout: Double?

    @Option(help: ArgumentHelp(
        "Messages in flight to one node at a time; the rest wait in the store, not in memory (default 256).",
        valueName: "n"))
    public var window: Int?

    @Option(help: ArgumentHelp(
        "Seconds to keep final messages and the results of received ones; at least the senders' ttl (default 604800).",
        valueName: "seconds"))
    public var keepResults: Double?

    @Option(help: ArgumentHelp("Messages this node handles at once; more wait, slowing their senders (default 64).", valueName: "n"))
    public var maxConcurrentRuns: Int?

    @Option(help: ArgumentHelp(
        "Run messages signed by this key (base64 ed25519, `bosun keys show` on the central node), or by every key in this file (one per line, # comments); repeatable. <data-dir>/trusted-keys is read too.",
        valueName: "key-or-file"))
    public var trust: [String] = []

    @Flag(help: .hidden)
    public var requireSignatures = false

    @Flag(help: "INSECURE, for a lab: run unsigned messages, and messages signed by any key, from anyone who can reach the NATS server. Logged at every start, shown in status, hellos and the console.")
    public var insecureAcceptUnsigned = false

    /// Signs no message and no answer (hellos stay signed): the engine without cryptography, which `bosun-bench`
    /// measures. Needs `--insecure-accept-unsigned`; hidden, as nothing but measuring wants it.
    @Flag(help: .hidden)
    public var insecureSignNothing = false

    @Flag(help: "Central node: let in every new node at its first signed hello, without `bosun nodes approve` (labs, the demo).")
    public var autoApprove = false

    @Option(help: ArgumentHelp(
        "Seconds over which refused messages of one kind from one sender make one line of the error log, with a count (default 60).",
        valueName: "seconds"))
    public var refusalInterval: Double?

    @Option(help: ArgumentHelp(
        "ACL file: who may call which methods and commands here (default <data-dir>/acl.json if it exists); reloaded on change and SIGHUP.",
        valueName: "file"))
    public var acl: String?

    @Option(help: ArgumentHelp("This node's signing key (default <data-dir>/node.key, created on first start).", valueName: "file"))
    public var key: String?

    /// The delivery defaults after the flags.
    public var deliveryDefaults: DeliveryDefaults {
        var defaults = DeliveryDefaults.standard
        if let ackTimeout { defaults.ackTimeout = ackTimeout }
        if let retries { defaults.retries = retries }
        if let retryWait { defaults.retryWait = retryWait }
        if let ttl { defaults.ttl = ttl }
        if let methodTimeout { defaults.methodTimeout = methodTimeout }
        if let keepResults { defaults.keepResults = keepResults }
        if let maxConcurrentRuns { defaults.maxConcurrentRuns = max(1, maxConcurrentRuns) }
        if let window { defaults.window = max(1, window) }
        return defaults
    }

    @Option(help: ArgumentHelp("Where accepted messages wait: outbox (this node's store) or jetstream (also the NATS servers' replicated mailbox stream).", valueName: "mode"))
    public var mailbox: MailboxMode = .outbox

    public init() {}

    /// Applies the options that shape a node's engine: central node, delivery defaults, trust and key.
    public func configure(_ configuration: inout NodeRuntime.Configuration) throws {
        configuration.centralNode = central
        configuration.defaults = deliveryDefaults
        configuration.trust = try trustPolicy()
        configuration.signs = !insecureSignNothing
        if let refusalInterval { configuration.refusalInterval = max(0.1, refusalInterval) }
        configuration.keyPath = key
        configuration.accessListPath = acl
        configuration.mailbox = mailbox
    }

    /// The trust policy from `--trust`, `--insecure-accept-unsigned` and `--auto-approve`; a file that cannot be
    /// read, or a key that is not one, is an error naming it.
    public func trustPolicy() throws -> TrustPolicy {
        var keys = Set<String>()
        for entry in trust {
            if NodeKey.isPublicKey(entry) {
                keys.insert(entry)
                continue
            }
            guard FileSystem.exists(entry) else {
                throw ValidationError("--trust \(entry): neither a public key (base64 ed25519) nor a readable file")
            }
            do {
                keys.formUnion(try TrustedKeys.parse(file: entry))
            } catch {
                throw ValidationError("--trust \(error)")
            }
        }
        return TrustPolicy(trustedKeys: keys, acceptUnsigned: insecureAcceptUnsigned, autoApprove: autoApprove)
    }

    /// The node name from the option, else `BOSUN_NODE`, else `fallback`; validated.
    public func nodeName(default fallback: String?) throws -> String {
        guard let name = node ?? Environment.value("BOSUN_NODE") ?? fallback else {
            throw ValidationError("--node is required (or set BOSUN_NODE)")
        }
        guard NodeName.isValid(name) else {
            throw ValidationError("--node: \"\(name)\" is not a valid node name (letters, digits, - and _ only)")
        }
        return name
    }

    /// The data directory from the option, else `BOSUN_DATA_DIR`, else `fallback`.
    public func dataDirectory(default fallback: String) -> String {
        dataDirectory ?? Environment.value("BOSUN_DATA_DIR") ?? fallback
    }

    /// The NATS configuration these options describe.
    public func natsConfiguration(name: String) -> NATSConfiguration {
        let servers = (server ?? Environment.value("BOSUN_SERVER") ?? "nats://127.0.0.1:4222")
            .split(separator: ",").map { String($0).trimmingSpaces }.filter { !$0.isEmpty }
        var configuration = NATSConfiguration(servers: servers)
        configuration.name = name
        configuration.connectTimeout = connectTimeout
        configuration.credentialsFile = creds
        configuration.nkeyPublicKey = nkey
        configuration.nkeySeedFile = nkeySeed
        configuration.tlsCAFile = tlsCA
        configuration.tlsCertificateFile = tlsCert
        configuration.tlsKeyFile = tlsKey
        configuration.tlsRequired = tls
        return configuration
    }
}

/// Reads the process environment without Foundation.
public enum Environment {
    public static func value(_ name: String) -> String? {
        guard let raw = getenv(name) else { return nil }
        let value = String(cString: raw)
        return value.isEmpty ? nil : value
    }
}

extension String {
    var trimmingSpaces: String {
        String(drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }
}
extension Logger.Level: @retroactive ExpressibleByArgument {}
