import Foundation
import Shared
import Testing

@testable import Agent

/// The /proc and /sys parsers on text as the kernel writes it, and the sampler over a tree of such files.
@Suite struct ProcParsersTests {
    static let procStat = """
        cpu  4705 356 584 3699176 23 0 25 0 10 0
        cpu0 1393280 32966 572056 13343292 6130 0 17875 0 0 0
        intr 1462898 1 0 0
        """

    @Test func cpuTimesCountIdleAndIOWaitAsNotBusy() throws {
        let times = try #require(ProcParsers.cpuTimes(procStat: Self.procStat))
        #expect(times.total == 4705 + 356 + 584 + 3_699_176 + 23 + 0 + 25 + 0)
        #expect(times.busy == 4705 + 356 + 584 + 25)
        let later = ProcParsers.CPUTimes(busy: times.busy + 30, total: times.total + 120)
        #expect(later.percentBusy(since: times) == 25)
        #expect(times.percentBusy(since: times) == nil)
        #expect(ProcParsers.cpuTimes(procStat: "intr 1 2 3\n") == nil)
    }

    @Test func loadAveragesAreTheFirstThreeFields() {
        #expect(ProcParsers.loadAverages(loadavg: "0.52 0.38 0.21 2/431 12345\n") == [0.52, 0.38, 0.21])
        #expect(ProcParsers.loadAverages(loadavg: "garbage") == nil)
    }

    @Test func memoryInfoIsInBytes() {
        let memory = ProcParsers.memoryInfo(meminfo: """
            MemTotal:        8048260 kB
            MemFree:          512000 kB
            MemAvailable:    4024130 kB
            SwapTotal:       1048572 kB
            SwapFree:         524286 kB
            HugePages_Total:       0
            """)
        #expect(memory["MemTotal"] == Int64(8_048_260) * 1024)
        #expect(memory["MemAvailable"] == Int64(4_024_130) * 1024)
        #expect(memory["SwapFree"] == Int64(524_286) * 1024)
        #expect(memory["HugePages_Total"] == 0)
    }

    @Test func networkCountersLeaveOutLoopbackAndHeaders() {
        let counters = ProcParsers.networkCounters(netDev: """
            Inter-|   Receive                                                |  Transmit
             face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
                lo:  123456     100    0    0    0     0          0         0   123456     100    0    0    0     0       0          0
              eth0: 98765432   65432    0    0    0     0          0        12  1234567    9876    0    0    0     0       0          0
             wlan0:1000 10 0 0 0 0 0 0 2000 20 0 0 0 0 0 0
            """)
        #expect(counters.map(\.name) == ["eth0", "wlan0"])
        #expect(counters.first?.rx == 98_765_432)
        #expect(counters.first?.tx == 1_234_567)
        #expect(counters.last?.rx == 1000)
        #expect(counters.last?.tx == 2000)
    }

    @Test func smallFiles() {
        #expect(ProcParsers.residentPages(statm: "10567 2345 1200 300 0 4000 0\n") == 2345)
        #expect(ProcParsers.celsius(thermalZoneTemp: "48312\n") == 48.312)
        #expect(ProcParsers.celsius(thermalZoneTemp: "") == nil)
        #expect(ProcParsers.throttled(text: "0x50005\n") == 0x50005)
        #expect(ProcParsers.throttled(text: "0\n") == 0)
    }

    @Test func mountPointOfAPathIsTheLongestMountAboveIt() {
        let points = MountTable.mountPoints(mounts: """
            /dev/root / ext4 rw,noatime 0 0
            /dev/sda1 /var/lib ext4 rw 0 0
            /dev/sdb1 /media/my\\040disk ext4 rw 0 0
            """)
        #expect(points == ["/", "/var/lib", "/media/my disk"])
        #expect(MountTable.mountPoint(of: "/var/lib/bosun", among: points) == "/var/lib")
        #expect(MountTable.mountPoint(of: "/var/library", among: points) == "/")
        #expect(MountTable.mountPoint(of: "/media/my disk/x", among: points) == "/media/my disk")
    }

    @Test func mountFieldsDecodeTheKernelsOctalEscapes() {
        #expect(MountTable.unescaped("/a\\011b\\134c\\012d") == "/a\tb\\c\nd")
        // Not an escape: kept as it is (a backslash before fewer than three octal digits, or 8 and 9).
        #expect(MountTable.unescaped("/x\\04") == "/x\\04")
        #expect(MountTable.unescaped("/x\\089y") == "/x\\089y")
        #expect(MountTable.unescaped("/\\342\\202\\254") == "/€")
    }

    @Test func samplerReadsATreeAndDiffersCountersBetweenSamples() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("bosun-proc-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        func write(_ path: String, _ text: String) throws {
            let url = URL(fileURLWithPath: root + path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        try write("/proc/stat", "cpu  100 0 100 700 100 0 0 0 0 0\n")
        try write("/proc/loadavg", "1.50 1.00 0.50 1/100 42\n")
        try write("/proc/meminfo", "MemTotal: 1000 kB\nMemAvailable: 250 kB\nSwapTotal: 0 kB\nSwapFree: 0 kB\n")
        try write("/proc/net/dev", "h\nh\n  eth0: 1000 1 0 0 0 0 0 0 500 1 0 0 0 0 0 0\n")
        try write("/proc/self/statm", "100 10 0 0 0 0 0\n")
        try write("/sys/class/thermal/thermal_zone0/temp", "51000\n")
        try write("/sys/class/thermal/thermal_zone1/temp", "62500\n")
        var sampler = MetricsSampler(mounts: ["/", "/data"], root: root)
        sampler.diskUse = { $0 == "/" ? MetricsSample.Disk(mount: "/", used: 90, available: 10) : nil }
        let start = Timestamp(millisecondsSinceEpoch: 1_000_000)

        let first = sampler.sample(at: start)
        #expect(first.cpu == nil)
        #expect(first.load == [1.5, 1.0, 0.5])
        #expect(first.temp == 62.5)
        #expect(first.disks == [MetricsSample.Disk(mount: "/", used: 90, available: 10)])
        #expect(first.net?.first?.rxRate == nil)
        #expect(first.rss == 10 * Int64(getpagesize()))
        #expect(first.values["mem"] == 75)
        #expect(first.values["swap"] == nil)
        #expect(first.values["disk:/"] == 90)

        try write("/proc/stat", "cpu  150 0 150 750 150 0 0 0 0 0\n")
        try write("/proc/net/dev", "h\nh\n  eth0: 3000 1 0 0 0 0 0 0 1500 1 0 0 0 0 0 0\n")
        let second = sampler.sample(at: start.adding(seconds: 10))
        #expect(second.cpu == 50)
        #expect(second.net?.first?.rxRate == 200)
        #expect(second.values["net:eth0:tx"] == 100)
        let decoded = try MetricsSample.decode(second.encoded())
        #expect(decoded == second)
    }
}
