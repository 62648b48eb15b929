/// Every default of Bosun's delivery, in one place. Startup flags override these; any message may override them.
public struct DeliveryDefaults: Sendable, Equatable, Codable {
    /// How long the sender waits for an ACK per attempt, in seconds.
    public var ackTimeout: Double = 10
    /// Attempts after the first; 0 means no bound other than `ttl`.
    public var retries: Int = 0
    /// The first wait between attempts, in seconds; it doubles per attempt with ±20% jitter up to `retryWaitCap`.
    public var retryWait: Double = 1
    /// The longest wait between attempts, so a fleet coming back does not stampede the sender.
    public var retryWaitCap: Double = 60
    /// How long the receiver lets a method run, in seconds.
    public var methodTimeout: Double = 60
    /// How long a message may wait for delivery before it is given up: 7 days.
    public var ttl: Double = 7 * 24 * 3600
    /// How long a node keeps what it delivered and received once final (the receiver's stored results answer a
    /// late retry without running it again, so keep them at least as long as senders' ttl): 7 days.
    public var keepResults: Double = 7 * 24 * 3600
    /// Messages a receiver handles at once; more wait on the subscription, so a flooding sender is slowed
    /// rather than allowed to exhaust the node.
    public var maxConcurrentRuns: Int = 64
    /// Messages in flight to one destination at a time; the rest of a backlog waits in the store, so the memory a
    /// sender uses follows its destinations, not how much waits for them.
    public var window: Int = 256

    public init() {}

    public static let standard = DeliveryDefaults()
}

/// Liveness and retention defaults.
public enum LivenessDefaults {
    /// Seconds between hellos from an agent (jittered ±20%).
    public static let helloInterval: Double = 10
    /// A node is up while its last hello is younger than this many hello intervals.
    public static let upFactor: Double = 2
    /// …and stale while younger than this many; down beyond.
    public static let staleFactor: Double = 6
}

/// Limits on what one method run may produce.
public enum OutputDefaults {
    /// Bytes of stdout (and, separately, stderr) kept for the ACK; more is cut and marked truncated. An ACK
    /// bigger than the server's max_payload travels in chunks (``ReplyChunk``).
    public static let captureLimit = 16 * 1024 * 1024
    /// Seconds between SIGTERM and SIGKILL when a method's process group is ended.
    public static let killGrace: Double = 5
}

/// Bounds on what one message or one input file may hold: input past them is refused with an error that names the
/// field or the file and the limit, before it can exhaust a node's memory or overflow its arithmetic.
public enum MessageLimits {
    /// Bytes of one message in its JSON form: 1 MiB, nats-server's default `max_payload`, so a message that is
    /// accepted can also be published.
    public static let messageBytes = 1024 * 1024
    /// Entries in `methodArgs`: far more than any command line needs, far fewer than would strain `execve`.
    public static let methodArgs = 1024
    /// Destinations in `toNodes`: each becomes a message of its own, so this bounds one message's fan-out.
    public static let destinations = 10_000
    /// Messages in one input file (`inmsg.txt` or a file in `inbox/`).
    public static let batchMessages = 10_000
    /// Bytes of one input file: 16 MiB; checked before the file is read.
    public static let batchBytes = 16 * 1024 * 1024
    /// The largest value of a seconds field (`ackTimeout`, `retryWait`, `methodTimeout`, `ttl`): 10 years. Times
    /// are kept in milliseconds as `Int64`; larger values would overflow them.
    public static let seconds: Double = 10 * 365 * 24 * 3600
}

/// Names Bosun uses on the wire.
public enum Wire {
    /// Every subject starts with this token: `bosun.<toNode>.<method>.<messageType>`.
    public static let subjectPrefix = "bosun"
    /// The node that receives hellos, error reports and logs unless configured otherwise.
    public static let centralNode = "central"
}

/// Metrics from the nodes, their retention on the central node, and the alerts on them.
public enum MetricsDefaults {
    /// Seconds between an agent's samples.
    public static let interval: Double = 10
    /// Raw samples are kept an hour; one-minute aggregates (min, mean, max) a day; ten-minute ones 30 days.
    public static let rawRetention: Double = 3600
    public static let minuteRetention: Double = 24 * 3600
    public static let tenMinuteRetention: Double = 30 * 24 * 3600
    /// Seconds between prunings of the metrics store.
    public static let pruneInterval: Double = 60
    /// Alert thresholds: a filesystem fuller than this percentage, a temperature above this many °C, a node
    /// silent for this many seconds.
    public static let diskPercent: Double = 90
    public static let temperature: Double = 80
    public static let nodeDownSeconds: Double = 300
    /// Seconds between the central node's checks of the alert thresholds.
    public static let alertCheckInterval: Double = 10
}
