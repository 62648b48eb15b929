import Foundation
import Synchronization
import Testing

@testable import Shared

/// The ACL file is watched with inotify: every change is seen, even one a poll of its modification time misses.
@Suite struct AccessListWatcherTests {
    /// Counts the changes the watcher reports.
    private final class Changes: Sendable {
        let count = Atomic(0)
    }

    /// Waits up to 30 s for `condition`; says what it last saw when it does not come. (The whole suite runs beside
    /// this test on two cores: a report has been seen to take more than 10 s then.)
    private func eventually(_ what: String, _ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while !condition() {
            guard ContinuousClock.now < deadline else { throw WaitError(description: "no \(what) within 30 s") }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    private struct WaitError: Error, CustomStringConvertible { var description: String }

    /// A watcher on `<temporary>/acl.json` (holding `{}`), running while `body` does.
    private func withWatcher(_ body: (_ path: String, _ changes: Changes) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bosun-acl-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/acl.json"
        try "{}".write(toFile: path, atomically: false, encoding: .utf8)
        let changes = Changes()
        // "Never read" makes the watcher report the file once its watch is on: the signal to start.
        let watching = Task {
            try await AccessListWatcher(path: path).run(lastRead: { nil }) { changes.count.add(1, ordering: .relaxed) }
        }
        defer { watching.cancel() }
        try await eventually("first report") { changes.count.load(ordering: .relaxed) == 1 }
        try await body(path, changes)
    }

    @Test func aChangeThatKeepsTheModificationTimeIsSeen() async throws {
        try await withWatcher { path, changes in
            let stamp = try #require(FileSystem.modificationTime(path))
            try #"{"rules": []}"#.write(toFile: path, atomically: false, encoding: .utf8)
            var times = [timespec(tv_sec: Int(stamp / 1_000_000_000), tv_nsec: Int(stamp % 1_000_000_000))]
            times.append(times[0])
            #expect(utimensat(AT_FDCWD, path, times, 0) == 0)
            #expect(FileSystem.modificationTime(path) == stamp)
            try await eventually("report of the write") { changes.count.load(ordering: .relaxed) >= 2 }
        }
    }

    @Test func aFileReplacedRemovedAndWrittenAgainIsSeenEachTime() async throws {
        try await withWatcher { path, changes in
            // An editor's save: a new file renamed over the old one.
            // Each step is seen at least once (a second report of one step only makes the node read the file again):
            // the next step, once the reports of the last one are over (the watcher's settling time and more), waits
            // for a report past the count they left.
            func settled() async throws -> Int {
                try await Task.sleep(for: .milliseconds(750))
                return changes.count.load(ordering: .relaxed)
            }
            try #"{"rules": []}"#.write(toFile: path, atomically: true, encoding: .utf8)
            try await eventually("report of the replacement") { changes.count.load(ordering: .relaxed) >= 2 }
            var seen = try await settled()
            try FileManager.default.removeItem(atPath: path)
            try await eventually("report of the removal") { changes.count.load(ordering: .relaxed) > seen }
            seen = try await settled()
            try "{}".write(toFile: path, atomically: false, encoding: .utf8)
            try await eventually("report of the new file") { changes.count.load(ordering: .relaxed) > seen }
        }
    }

    @Test func theWatchesAndNamesOfAnInotifyBufferAreRead() {
        func event(_ descriptor: Int32, _ name: String, padded: Int) -> [UInt8] {
            var header = [UInt8](repeating: 0, count: MemoryLayout<inotify_event>.size)
            header.withUnsafeMutableBytes {
                $0.storeBytes(of: descriptor, toByteOffset: 0, as: Int32.self)
                $0.storeBytes(of: UInt32(padded), toByteOffset: $0.count - 4, as: UInt32.self)
            }
            return header + Array(name.utf8) + [UInt8](repeating: 0, count: padded - name.utf8.count)
        }
        let buffer = event(1, "acl.json", padded: 16) + event(2, "", padded: 0) + event(3, "inmsg.txt", padded: 32)
        let events = Inotify.events(in: buffer[...])
        #expect(events.map(\.0) == [1, 3])
        #expect(events.map(\.1) == ["acl.json", "inmsg.txt"])
    }

    /// Two watches of one directory (the agent's inputs and its ACL both watch the data directory) share the
    /// process's one inotify instance: each hears the directory's events, with its own mask added to the other's,
    /// and one that ends leaves the other watching.
    @Test func twoWatchesOfOneDirectoryBothHearItsEventsAndOneEndingLeavesTheOther() async throws {
        try await withTemporaryDirectory { directory in
            let first = try #require(DirectoryWatch(directories: [directory], events: UInt32(IN_CLOSE_WRITE)))
            let second = try #require(DirectoryWatch(directories: [directory], events: UInt32(IN_DELETE)))
            defer { second.cancel() }
            let heardByFirst = Mutex<Set<String>>([])
            let heardBySecond = Mutex<Set<String>>([])
            let readers = [
                Task { for await names in first.changes { heardByFirst.withLock { $0.formUnion(names) } } },
                Task { for await names in second.changes { heardBySecond.withLock { $0.formUnion(names) } } },
            ]
            defer { readers.forEach { $0.cancel() } }
            try "x".write(toFile: directory + "/a.txt", atomically: false, encoding: .utf8)
            try await eventually("both hear a.txt") {
                heardByFirst.withLock { $0.contains("a.txt") } && heardBySecond.withLock { $0.contains("a.txt") }
            }
            first.cancel()
            FileSystem.remove(directory + "/a.txt")
            try "y".write(toFile: directory + "/b.txt", atomically: false, encoding: .utf8)
            try await eventually("the second still hears b.txt") { heardBySecond.withLock { $0.contains("b.txt") } }
            #expect(!heardByFirst.withLock { $0.contains("b.txt") })
        }
    }
}
