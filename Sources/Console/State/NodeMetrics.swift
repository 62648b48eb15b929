import Shared

/// What the console keeps of one node's metrics: the newest values of the four it shows (CPU, memory, the
/// fullest disk, temperature) and their recent history for the Detail pane's sparklines.
public struct NodeMetrics: Sendable, Equatable {
    /// The metrics the console shows, in column order; the raw value indexes ``history``, so reading one costs
    /// no hashing (the overview reads every node's on every frame).
    public enum Kind: Int, Sendable, CaseIterable {
        case cpu, mem, disk, temp

        /// The name in the store and on screen: `cpu`, `mem`, `disk`, `temp`.
        public var name: String { ["cpu", "mem", "disk", "temp"][rawValue] }
    }

    /// When the newest sample was taken.
    public var time: Timestamp
    /// Each kind's values, oldest first, at most ``historyLength``; indexed by the kind's raw value.
    public private(set) var history: [[Double]] = Array(repeating: [], count: Kind.allCases.count)
    /// Messages waiting in the node's own outbox, at the newest sample.
    public var queue: Int?

    /// Samples kept per kind: 60, ten minutes at the default interval, so 10,000 nodes cost a few MB.
    public static let historyLength = 60

    public init(time: Timestamp) { self.time = time }

    /// The values of `kind`, oldest first.
    public func values(_ kind: Kind) -> [Double] { history[kind.rawValue] }

    /// The newest value of `kind`, if the node reports it.
    public func latest(_ kind: Kind) -> Double? { history[kind.rawValue].last }

    /// Adds a sample: CPU, memory used, the fullest of its disks, temperature.
    public mutating func add(_ sample: MetricsSample) {
        let values = sample.values
        let disk = values.filter { $0.key.hasPrefix("disk:") }.values.max()
        add(time: sample.time, [.cpu: values["cpu"], .mem: values["mem"], .disk: disk, .temp: values["temp"]])
        if sample.time >= time { queue = sample.queue ?? queue }
    }

    /// Adds one value of each kind present, at `time`.
    public mutating func add(time: Timestamp, _ values: [Kind: Double?]) {
        self.time = max(self.time, time)
        for (kind, value) in values {
            guard let value else { continue }
            history[kind.rawValue].append(value)
            if history[kind.rawValue].count > Self.historyLength { history[kind.rawValue].removeFirst() }
        }
    }

    /// Whether a value is past the alert thresholds (`AlertRules`; CPU and memory at 90%).
    public static func isHigh(_ kind: Kind, _ value: Double, rules: AlertRules = AlertRules()) -> Bool {
        switch kind {
        case .cpu, .mem: return value >= 90
        case .disk: return value > rules.diskPercent
        case .temp: return value > rules.temperature
        }
    }
}
