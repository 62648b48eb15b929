import Foundation
import Shared
import Testing

@testable import Console

/// `bosun send --at`: batches wait in `<data-dir>/scheduled/` and move into `inbox/` once due; the header counts them.
@Suite struct ScheduledSendsTests {
    @Test func onlyTheBatchesWhoseTimeHasComeMoveIntoTheInbox() throws {
        let directory = NSTemporaryDirectory() + "bosun-scheduled-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let sends = ScheduledSends(dataDirectory: directory)
        let now = Timestamp(millisecondsSinceEpoch: 1_764_060_151_000)
        try sends.schedule([Message(id: "due", toNode: "pi-1", method: .ping)], at: now.adding(seconds: -1))
        try sends.schedule([Message(id: "later", toNode: "pi-1", method: .ping)], at: now.adding(seconds: 60))
        #expect(sends.release(now: now) == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory + "/inbox") == ["scheduled-1764060150000-due.json"])
        #expect(sends.waiting().map(\.name) == ["1764060211000-later.json"])
        let moved = try String(contentsOfFile: directory + "/inbox/scheduled-1764060150000-due.json", encoding: .utf8)
        #expect(moved.hasPrefix("[{") && moved.contains(#""id":"due""#), "\(moved)")
    }

    @Test func theHeaderCountsTheSendsWaitingForTheirTime() {
        var state = Fixtures.state()
        #expect(!render(state, cols: 120, rows: 40).text.contains("scheduled"))
        _ = reduce(&state, .scheduled(2))
        let header = render(state, cols: 120, rows: 40).text.split(separator: "\n").first ?? ""
        #expect(header.contains("outbox 3  scheduled 2"), "\(header)")
    }
}
