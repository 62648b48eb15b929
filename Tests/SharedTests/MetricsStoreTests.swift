import Foundation
import Shared
import Testing

/// The central node's metrics store: aggregation into one- and ten-minute buckets, choice of resolution, and
/// pruning on schedule, all on injected times (no sleeping).
@Suite struct MetricsStoreTests {
    /// 2026-11-30T00:00:00Z: a whole ten minutes, so bucket arithmetic in the tests is plain.
    static let start = Timestamp(millisecondsSinceEpoch: 1_796_083_200_000)

    private func withMetricsStore(
        _ configuration: MetricsStore.Configuration = .init(), _ body: (MetricsStore) throws -> Void
    ) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bosun-metrics-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try body(try MetricsStore(path: directory + "/metrics.db", configuration: configuration))
    }

    private func sample(at seconds: Double, cpu: Double) -> MetricsSample {
        var sample = MetricsSample(time: Self.start.adding(seconds: seconds))
        sample.cpu = cpu
        return sample
    }

    @Test func valuesAggregateIntoMinuteAndTenMinuteBucketsWithMinMeanMax() throws {
        try withMetricsStore { store in
            // Every 10 s for 20 minutes: cpu rises 0, 1, 2, …
            for step in 0..<120 {
                try store.record(sample(at: Double(step) * 10, cpu: Double(step)), node: "pi", now: Self.start.adding(seconds: 1200))
            }
            let now = Self.start.adding(seconds: 1200)
            let raw = try store.series(node: "pi", since: Self.start, now: now)
            #expect(raw.resolution == .raw)
            #expect(raw.series["cpu"]?.count == 120)

            let minutes = try store.series(node: "pi", since: now.adding(seconds: -7200), now: now)
            #expect(minutes.resolution == .minute)
            let firstMinute = try #require(minutes.series["cpu"]?.first)
            #expect(minutes.series["cpu"]?.count == 20)
            #expect(firstMinute == MetricsPoint(time: Self.start, min: 0, mean: 2.5, max: 5))

            let tens = try store.series(node: "pi", since: now.adding(seconds: -3 * 86400), now: now)
            #expect(tens.resolution == .tenMinute)
            #expect(tens.series["cpu"] == [
                MetricsPoint(time: Self.start, min: 0, mean: 29.5, max: 59),
                MetricsPoint(time: Self.start.adding(seconds: 600), min: 60, mean: 89.5, max: 119),
            ])
            #expect(try store.latest(node: "pi")["cpu"]?.value == 119)
            #expect(try store.nodes() == ["pi"])
        }
    }

    @Test func theSameSampleStoredTwiceCountsOnce() throws {
        try withMetricsStore { store in
            let now = Self.start.adding(seconds: 60)
            try store.record(sample(at: 0, cpu: 10), node: "pi", now: now)
            try store.record(sample(at: 0, cpu: 10), node: "pi", now: now)
            try store.record(sample(at: 10, cpu: 30), node: "pi", now: now)
            let minutes = try store.series(node: "pi", since: now.adding(seconds: -7200), now: now)
            #expect(minutes.series["cpu"] == [MetricsPoint(time: Self.start, min: 10, mean: 20, max: 30)])
        }
    }

    @Test func pruningKeepsEachResolutionForItsRetentionAndRunsOnSchedule() throws {
        var configuration = MetricsStore.Configuration()
        configuration.pruneInterval = 60
        try withMetricsStore(configuration) { store in
            // One sample an hour for two days: received late, in one go (a backlog after an outage).
            let late = Self.start.adding(seconds: 2 * 86400)
            for hour in 0..<48 {
                try store.record(sample(at: Double(hour) * 3600, cpu: 1), node: "pi", now: Self.start)
            }
            #expect(try store.rowCounts() == [.raw: 48, .minute: 48, .tenMinute: 48])
            // The first record pruned at `start` (nothing was old then); not due again within the interval.
            #expect(try store.pruneIfDue(now: Self.start.adding(seconds: 59)) == false)
            #expect(try store.pruneIfDue(now: late) == true)
            // At `late` (48 h): raw keeps the last hour (the sample at 47 h), minutes the last day (24 h to 47 h).
            let counts = try store.rowCounts()
            #expect(counts[.raw] == 1)
            #expect(counts[.minute] == 24)
            #expect(counts[.tenMinute] == 48)
            #expect(try store.pruneIfDue(now: late.adding(seconds: 30)) == false)
            // 31 days later nothing is left.
            try store.prune(now: Self.start.adding(seconds: 31 * 86400 + 2 * 86400))
            #expect(try store.rowCounts() == [.raw: 0, .minute: 0, .tenMinute: 0])
        }
    }

    @Test func valuesNameEachDiskAndInterfaceAndLeaveOutWhatIsMissing() {
        var sample = MetricsSample(time: Self.start)
        sample.memTotal = 1000
        sample.memAvailable = 400
        sample.swapTotal = 0
        sample.swapFree = 0
        sample.disks = [.init(mount: "/", used: 45, available: 5), .init(mount: "/data", used: 1, available: 3)]
        sample.net = [.init(name: "eth0", rx: 1, tx: 2, rxRate: 3, txRate: 4)]
        sample.queue = 2
        #expect(sample.values == [
            "mem": 60, "disk:/": 90, "disk:/data": 25, "net:eth0:rx": 3, "net:eth0:tx": 4, "queue": 2,
        ])
    }
}
