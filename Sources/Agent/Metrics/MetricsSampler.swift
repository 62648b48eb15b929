import Shared

#if canImport(Glibc)
    import Glibc
#endif

/// Takes samples of the machine's metrics from /proc and /sys, without child processes.
///
/// CPU use and network rates are differences from the previous sample, so the sampler keeps the last counters;
/// the first sample has neither. `root` prefixes every path read (tests point it at a tree of fixture files).
struct MetricsSampler {
    /// The filesystems whose use is sampled (mount points).
    var mounts: [String]
    var root = ""
    /// The use of the filesystem mounted at a path; `statvfs` by default.
    var diskUse: (String) -> MetricsSample.Disk? = MetricsSampler.statvfsUse
    private var previousCPU: ProcParsers.CPUTimes?
    private var previousNet: (time: Timestamp, counters: [String: (rx: Int64, tx: Int64)])?

    init(mounts: [String], root: String = "") {
        self.mounts = mounts
        self.root = root
    }

    /// A sample at `time`; the readings that cannot be taken here are left out.
    mutating func sample(at time: Timestamp) -> MetricsSample {
        var sample = MetricsSample(time: time)
        if let cpu = read("/proc/stat").flatMap(ProcParsers.cpuTimes) {
            sample.cpu = previousCPU.flatMap { cpu.percentBusy(since: $0) }
            previousCPU = cpu
        }
        sample.load = read("/proc/loadavg").flatMap(ProcParsers.loadAverages)
        if let memory = read("/proc/meminfo").map(ProcParsers.memoryInfo) {
            sample.memTotal = memory["MemTotal"]
            sample.memAvailable = memory["MemAvailable"]
            sample.swapTotal = memory["SwapTotal"]
            sample.swapFree = memory["SwapFree"]
        }
        sample.disks = mounts.compactMap(diskUse)
        sample.temp = hottestThermalZone()
        sample.throttled = read("/sys/devices/platform/soc/soc:firmware/get_throttled").flatMap(ProcParsers.throttled)
        sample.net = network(at: time)
        sample.rss = read("/proc/self/statm").flatMap(ProcParsers.residentPages).map { $0 * Int64(sysconf(Int32(_SC_PAGESIZE))) }
        return sample
    }

    /// The highest temperature of the thermal zones (on a Pi, zone 0 is the SoC); nil where there are none.
    private func hottestThermalZone() -> Double? {
        let directory = "/sys/class/thermal"
        let zones = ((try? FileSystem.list(root + directory)) ?? []).filter { $0.hasPrefix("thermal_zone") }
        return zones.compactMap { read("\(directory)/\($0)/temp").flatMap(ProcParsers.celsius) }.max()
    }

    private mutating func network(at time: Timestamp) -> [MetricsSample.Interface]? {
        guard let counters = read("/proc/net/dev").map(ProcParsers.networkCounters) else { return nil }
        let previous = previousNet
        let elapsed = previous.map { time.seconds(since: $0.time) } ?? 0
        previousNet = (time, Dictionary(counters.map { ($0.name, (rx: $0.rx, tx: $0.tx)) }) { first, _ in first })
        return counters.map { counter in
            var interface = MetricsSample.Interface(name: counter.name, rx: counter.rx, tx: counter.tx)
            // A counter that went back (the interface was recreated) gives no rate rather than a negative one.
            if elapsed > 0, let before = previous?.counters[counter.name], counter.rx >= before.rx, counter.tx >= before.tx {
                interface.rxRate = Double(counter.rx - before.rx) / elapsed
                interface.txRate = Double(counter.tx - before.tx) / elapsed
            }
            return interface
        }
    }

    private func read(_ path: String) -> String? {
        (try? FileSystem.read(root + path)).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The use of the filesystem at `mount`, as `df` counts it (blocks reserved for root count as neither).
    static func statvfsUse(_ mount: String) -> MetricsSample.Disk? {
        var info = statvfs()
        guard statvfs(mount, &info) == 0, info.f_blocks > 0 else { return nil }
        let block = Int64(info.f_frsize)
        return MetricsSample.Disk(
            mount: mount, used: Int64(info.f_blocks - info.f_bfree) * block, available: Int64(info.f_bavail) * block)
    }
}
