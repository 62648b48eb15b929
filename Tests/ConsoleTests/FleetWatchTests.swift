import Foundation
import Shared
import Testing

@testable import Console

/// What `bosun watch` reads (new whole lines of a growing, rotated file) and how it writes an event.
@Suite struct FleetWatchTests {
    @Test func aTailGivesWholeNewLinesAndStartsOverOnARotatedFile() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tail-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "old\n".write(toFile: path, atomically: false, encoding: .utf8)
        var tail = FileTail(path: path)
        #expect(tail.newLines().isEmpty)
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("one\ntw".utf8))
        #expect(tail.newLines() == ["one"])
        try handle.write(contentsOf: Data("o\n".utf8))
        try handle.close()
        #expect(tail.newLines() == ["two"])
        // Rotated: a new file under the same name is read from its start.
        try FileManager.default.removeItem(atPath: path)
        try "fresh\n".write(toFile: path, atomically: false, encoding: .utf8)
        #expect(tail.newLines() == ["fresh"])
    }

    @Test func anEventIsOneLineWithWhatIsKnown() {
        let time = Timestamp(millisecondsSinceEpoch: 1_700_000_000_000)
        let acked = FleetEvent(
            time: time, event: "acked", id: "0193", node: "pi-1", method: "cliCommand", status: "ok", exitCode: 3)
        #expect(acked.text(utcOffset: 0) == "22:13:20  acked        0193  pi-1  cliCommand  exit 3")
        let down = FleetEvent(time: time, event: "down", node: "pi-2")
        #expect(down.text(utcOffset: 3600) == "23:13:20  down         pi-2")
    }
}
