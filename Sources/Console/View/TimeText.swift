import Shared

/// Times as the screen shows them.
public enum TimeText {
    /// A relative age: `3s`, `6m`, `5h`, `2d`; `-` when unknown.
    public static func age(from then: Timestamp?, to now: Timestamp) -> String {
        guard let then else { return "-" }
        return duration(max(0, now.seconds(since: then)))
    }

    /// A short duration: `3s`, `6m`, `5h`, `2d`.
    public static func duration(_ seconds: Double) -> String {
        let whole = Int(seconds)
        if whole < 60 { return "\(whole)s" }
        if whole < 3600 { return "\(whole / 60)m" }
        if whole < 86400 { return "\(whole / 3600)h" }
        return "\(whole / 86400)d"
    }

    /// A round trip in five cells at most: `4ms`, `250ms`, `1.2s`, `12s`, `6m`; `-` when unknown.
    public static func roundTrip(_ seconds: Double?) -> String {
        guard let seconds else { return "-" }
        if seconds < 1 { return "\(Int((seconds * 1000).rounded(.down)))ms" }
        if seconds < 10 { return "\(Int(seconds))." + "\(Int(seconds * 10) % 10)s" }
        return duration(seconds)
    }

    /// A longer duration in two units: `3d 4h`, `5h 12m`, `4m 2s`.
    public static func uptime(_ seconds: Double) -> String {
        let whole = max(0, Int(seconds))
        if whole < 60 { return "\(whole)s" }
        if whole < 3600 { return "\(whole / 60)m \(whole % 60)s" }
        if whole < 86400 { return "\(whole / 3600)h \(whole % 3600 / 60)m" }
        return "\(whole / 86400)d \(whole % 86400 / 3600)h"
    }

    /// The wall-clock time of day, `14:02:31`, shifted by `utcOffset` seconds.
    public static func clock(_ time: Timestamp, utcOffset: Int) -> String {
        let seconds = Int(time.millisecondsSinceEpoch / 1000) + utcOffset
        let day = ((seconds % 86400) + 86400) % 86400
        return two(day / 3600) + ":" + two(day % 3600 / 60) + ":" + two(day % 60)
    }

    private static func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
}
