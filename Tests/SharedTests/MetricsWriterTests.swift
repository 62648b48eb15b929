import Foundation
import Testing

@testable import Shared

/// The metrics handler's group commit: samples stored together, every caller answered once its own is
/// committed, and a failed transaction reported to every caller in it.
@Suite struct MetricsWriterTests {
    static let start = Timestamp(millisecondsSinceEpoch: 1_796_083_200_000)

    private func withDirectory(_ body: (String) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bosun-writer-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await body(directory)
    }

    @Test func concurrentSamplesAreAllStoredAndEachCallerReturnsAfterItsCommit() async throws {
        try await withDirectory { directory in
            let store = try MetricsStore(path: directory + "/metrics.db")
            let writer = MetricsWriter(store: store, now: { Self.start })
            try await withThrowingTaskGroup(of: Void.self) { group in
                for node in 0..<200 {
                    group.addTask {
                        var sample = MetricsSample(time: Self.start)
                        sample.cpu = Double(node)
                        try await writer.record(sample, node: "node-\(node)")
                        // Committed before the caller goes on: it reads its own value back.
                        #expect(try store.latest(node: "node-\(node)")["cpu"]?.value == Double(node))
                    }
                }
                try await group.waitForAll()
            }
            #expect(try store.nodes().count == 200)
            #expect(try store.rowCounts()[.raw] == 200)
        }
    }

    @Test func aFailedTransactionIsReportedToItsCaller() async throws {
        try await withDirectory { directory in
            let store = try MetricsStore(path: directory + "/metrics.db")
            try store.database.execute("DROP TABLE minute")
            let writer = MetricsWriter(store: store, now: { Self.start })
            var sample = MetricsSample(time: Self.start)
            sample.cpu = 1
            await #expect {
                try await writer.record(sample, node: "pi")
            } throws: { error in
                "\(error)".contains("no such table: minute")
            }
            #expect(try store.latest(node: "pi").isEmpty)
        }
    }
}
