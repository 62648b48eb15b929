extension AlertRules {
    /// The rules a node crosses at `now`, each with what a person should read: `down` (not heard from for
    /// `nodeDownSeconds`), `temp`, and `disk:<mount>` for each filesystem too full. `latest` is the node's newest
    /// metric values (nil when none are kept: its metric rules are then left as they are, see ``undecided``).
    public func crossed(lastSeen: Timestamp?, latest: [String: Double]?, now: Timestamp) -> [String: String] {
        var crossed: [String: String] = [:]
        if let lastSeen, now.seconds(since: lastSeen) > nodeDownSeconds {
            crossed["down"] = "down: not heard from for \(Int(now.seconds(since: lastSeen))) s (alert after \(Self.number(nodeDownSeconds)) s)"
        }
        for (metric, value) in latest ?? [:] {
            if metric == "temp", value > temperature {
                crossed[metric] = "temperature \(Self.number(value)) °C (alert above \(Self.number(temperature)) °C)"
            } else if metric.hasPrefix("disk:"), value > diskPercent {
                crossed[metric] = "disk \(metric.dropFirst(5)) \(Self.number(value))% full (alert above \(Self.number(diskPercent))%)"
            }
        }
        return crossed
    }

    /// Whether a rule in force can be judged without the node's metrics (a metric rule cannot).
    public static func undecided(_ rule: String, latest: [String: Double]?) -> Bool {
        rule != "down" && latest == nil
    }

    /// A number as a person writes it: whole when it is, else one decimal.
    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String((value * 10).rounded() / 10)
    }
}
