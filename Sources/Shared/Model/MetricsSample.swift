import FoundationEssentials

/// One sample of a node's metrics: the `data` of a `metrics` message, as compact JSON.
///
/// Every reading is optional: a machine without swap, a thermal zone or a readable `/proc` file sends what it has.
/// The time is the agent's, so samples queued through an outage are stored at the time they were taken.
public struct MetricsSample: Sendable, Equatable, Codable {
    /// When the sample was taken, on the node.
    public var time: Timestamp
    /// Percent of all CPUs busy since the previous sample (0–100).
    public var cpu: Double?
    /// Load averages over 1, 5 and 15 minutes.
    public var load: [Double]?
    /// Memory, in bytes: total and available (what new work could use without swapping).
    public var memTotal: Int64?
    public var memAvailable: Int64?
    /// Swap, in bytes.
    public var swapTotal: Int64?
    public var swapFree: Int64?
    /// Use of each watched filesystem.
    public var disks: [Disk]?
    /// The hottest thermal zone, in °C.
    public var temp: Double?
    /// A Raspberry Pi's firmware throttling flags (`get_throttled`), where the kernel exposes them.
    public var throttled: Int?
    /// Bytes through each network interface (loopback left out).
    public var net: [Interface]?
    /// The agent's own resident memory, in bytes.
    public var rss: Int64?
    /// Messages in the agent's outbox still waiting for delivery.
    public var queue: Int?
    /// Seconds the oldest of them has waited.
    public var queueAge: Double?

    public init(time: Timestamp) { self.time = time }

    public struct Disk: Sendable, Equatable, Codable {
        public var mount: String
        /// Bytes in use, and bytes still available to unprivileged users (as `df` counts them).
        public var used: Int64
        public var available: Int64

        public init(mount: String, used: Int64, available: Int64) {
            self.mount = mount
            self.used = used
            self.available = available
        }

        /// Percent used, the way `df` shows it.
        public var percent: Double? { used + available > 0 ? Double(used) * 100 / Double(used + available) : nil }
    }

    public struct Interface: Sendable, Equatable, Codable {
        public var name: String
        /// Bytes received and sent since boot.
        public var rx: Int64
        public var tx: Int64
        /// Bytes per second since the previous sample; absent in the first.
        public var rxRate: Double?
        public var txRate: Double?

        public init(name: String, rx: Int64, tx: Int64, rxRate: Double? = nil, txRate: Double? = nil) {
            self.name = name
            self.rx = rx
            self.tx = tx
            self.rxRate = rxRate
            self.txRate = txRate
        }
    }

    /// The sample as named numbers, the way the central node stores them: `cpu`, `load1`, `mem` and `swap`
    /// (percent used), `disk:<mount>` (percent used), `temp`, `throttled`, `net:<interface>:rx` and `:tx`
    /// (bytes per second), `rss` (bytes), `queue`, `queueAge` (seconds).
    public var values: [String: Double] {
        var values: [String: Double] = [:]
        values["cpu"] = cpu
        values["load1"] = load?.first
        if let memTotal, let memAvailable, memTotal > 0 {
            values["mem"] = Double(memTotal - memAvailable) * 100 / Double(memTotal)
        }
        if let swapTotal, let swapFree, swapTotal > 0 {
            values["swap"] = Double(swapTotal - swapFree) * 100 / Double(swapTotal)
        }
        for disk in disks ?? [] { values["disk:" + disk.mount] = disk.percent }
        values["temp"] = temp
        values["throttled"] = throttled.map(Double.init)
        for interface in net ?? [] {
            values["net:\(interface.name):rx"] = interface.rxRate
            values["net:\(interface.name):tx"] = interface.txRate
        }
        values["rss"] = rss.map(Double.init)
        values["queue"] = queue.map(Double.init)
        values["queueAge"] = queueAge
        return values.filter { $0.value.isFinite }
    }

    /// Compact JSON, keys sorted.
    public func encoded() -> [UInt8] { (try? Array(JSONLines.encoder.encode(self))) ?? [] }

    public static func decode(_ bytes: some Collection<UInt8>) throws -> MetricsSample {
        try JSONDecoder().decode(MetricsSample.self, from: Data(bytes))
    }
}
