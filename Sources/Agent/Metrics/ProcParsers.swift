/// Parsers for the text of the /proc and /sys files the metrics sampler reads. Each takes the file's text and
/// returns nil (or leaves out a line) where the text is not what the kernel writes, rather than guessing.
enum ProcParsers {
    /// CPU time counters from the first line of `/proc/stat` (`cpu  user nice system idle iowait irq softirq steal`).
    struct CPUTimes: Equatable {
        var busy: UInt64
        var total: UInt64

        /// Percent busy between `earlier` and this reading; nil when no time passed (or the counters went back).
        func percentBusy(since earlier: CPUTimes) -> Double? {
            guard total > earlier.total, busy >= earlier.busy else { return nil }
            return min(100, Double(busy - earlier.busy) * 100 / Double(total - earlier.total))
        }
    }

    static func cpuTimes(procStat text: String) -> CPUTimes? {
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("cpu ") }) else { return nil }
        let fields = line.split(separator: " ").dropFirst().compactMap { UInt64($0) }
        guard fields.count >= 4 else { return nil }
        // guest and guest_nice (fields 9 and 10) are already counted in user and nice.
        let counted = fields.prefix(8)
        let total = counted.reduce(0, +)
        let idle = fields[3] + (fields.count > 4 ? fields[4] : 0)
        return CPUTimes(busy: total - idle, total: total)
    }

    /// The 1, 5 and 15 minute load averages from `/proc/loadavg`.
    static func loadAverages(loadavg text: String) -> [Double]? {
        let fields = text.split(separator: " ").prefix(3).compactMap { Double($0) }
        return fields.count == 3 ? fields : nil
    }

    /// Fields of `/proc/meminfo` in bytes (`MemTotal:  8048260 kB` gives `MemTotal` → 8241418240).
    static func memoryInfo(meminfo text: String) -> [String: Int64] {
        var values: [String: Int64] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            guard parts.count >= 2, parts[0].hasSuffix(":"), let number = Int64(parts[1]) else { continue }
            let unit: Int64 = parts.count > 2 && parts[2] == "kB" ? 1024 : 1
            values[String(parts[0].dropLast())] = number * unit
        }
        return values
    }

    /// Bytes received and sent per interface from `/proc/net/dev`, loopback left out.
    static func networkCounters(netDev text: String) -> [(name: String, rx: Int64, tx: Int64)] {
        var counters: [(name: String, rx: Int64, tx: Int64)] = []
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = String(line[..<colon].firstWord)
            let fields = line[line.index(after: colon)...].split(separator: " ").compactMap { Int64($0) }
            // 8 receive fields, then 8 transmit fields; the header lines have no colon-separated numbers.
            guard !name.isEmpty, name != "lo", fields.count >= 16 else { continue }
            counters.append((name: name, rx: fields[0], tx: fields[8]))
        }
        return counters
    }

    /// Resident pages from `/proc/self/statm` (its second field).
    static func residentPages(statm text: String) -> Int64? {
        let fields = text.split(separator: " ")
        return fields.count >= 2 ? Int64(fields[1]) : nil
    }

    /// °C from a thermal zone's `temp` file, which holds millidegrees.
    static func celsius(thermalZoneTemp text: String) -> Double? {
        Int64(text.firstWord).map { Double($0) / 1000 }
    }

    /// The flags of a Raspberry Pi's `get_throttled` file (hexadecimal, `0x50005`, or decimal).
    static func throttled(text: String) -> Int? {
        let trimmed = text.firstWord
        return trimmed.hasPrefix("0x") ? Int(trimmed.dropFirst(2), radix: 16) : Int(trimmed)
    }
}

extension StringProtocol {
    /// The first run of non-space characters (a /proc value without its padding and newline).
    fileprivate var firstWord: Substring {
        (split(whereSeparator: { $0.isWhitespace }).first).map { Substring($0) } ?? ""
    }
}
