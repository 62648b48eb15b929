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

    /// Waits up to 10 s for `condition`; says what it last saw when it does not come.
    private func eventually(_ what: String, _ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while !condition() {
            guard ContinuousClock.now < deadline else { throw WaitError(description: "no \(what) within 10 s") }
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
            try #"{"rules": []}"#.write(toFile: path, atomically: true, encoding: .utf8)
            try await eventually("report of the replacement") { changes.count.load(ordering: .relaxed) == 2 }
            try FileManager.default.removeItem(atPath: path)
            try await eventually("report of the removal") { changes.count.load(ordering: .relaxed) == 3 }
            try "{}".write(toFile: path, atomically: false, encoding: .utf8)
            try await eventually("report of the new file") { changes.count.load(ordering: .relaxed) == 4 }
        }
    }

    @Test func theNamesOfAnInotifyBufferAreRead() {
        func event(_ name: String, padded: Int) -> [UInt8] {
            var header = [UInt8](repeating: 0, count: MemoryLayout<inotify_event>.size)
            header.withUnsafeMutableBytes { $0.storeBytes(of: UInt32(padded), toByteOffset: $0.count - 4, as: UInt32.self) }
            return header + Array(name.utf8) + [UInt8](repeating: 0, count: padded - name.utf8.count)
        }
        let buffer = event("acl.json", padded: 16) + event("", padded: 0) + event("inmsg.txt", padded: 32)
        #expect(DirectoryWatch.names(in: buffer[...]) == ["acl.json", "inmsg.txt"])
    }
}
