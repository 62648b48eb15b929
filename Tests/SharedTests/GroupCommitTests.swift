import Shared
import Synchronization
import Testing

/// Writes committed together: one failing write is reported to its own caller alone and undoes nothing else,
/// whether it shares its commit with others or commits alone.
struct GroupCommitTests {
    private let reply = Reply(id: "r", fromNode: "alpha", status: .ok)

    /// `finishReceive` for each id in the next group commits; the error each one got, by id, once all are done.
    private func finish(_ ids: [String], in store: Store) async -> [String: StoreError?] {
        let results = Mutex<[String: StoreError?]>([:])
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let left = Atomic(ids.count)
            for id in ids {
                store.finishReceive(id: id, reply: reply, now: Timestamp(millisecondsSinceEpoch: 2)) { error in
                    results.withLock { $0[id] = .some(error) }
                    if left.subtract(1, ordering: .relaxed).newValue == 0 { continuation.resume() }
                }
            }
        }
        return results.withLock { $0 }
    }

    @Test func aFailingWriteAmongOthersFailsAloneAndTheOthersAreStored() async throws {
        try await withTemporaryDirectory { directory in
            let store = try Store(path: directory + "/state.db")
            let known = (0..<200).map { "m\($0)" }
            for id in known {
                _ = try store.beginReceive(id: id, fromNode: "central", method: "ping", replyTo: nil, now: Timestamp(millisecondsSinceEpoch: 1))
            }
            // Submitted together, most of them share commits; every tenth names a message never received.
            let ids = known.enumerated().map { $0.offset.isMultiple(of: 10) ? "missing-\($0.offset)" : $0.element }
            let results = await finish(ids, in: store)
            for id in ids {
                let error = results[id] ?? nil
                #expect(id.hasPrefix("missing") ? error?.code == .notFound : error == nil, "\(id): \(String(describing: error))")
            }
            #expect(try store.runningReceived().count == 20)
        }
    }

    @Test func aFailingWriteAloneIsReportedAndTheNextOneCommits() async throws {
        try await withTemporaryDirectory { directory in
            let store = try Store(path: directory + "/state.db")
            _ = try store.beginReceive(id: "known", fromNode: "central", method: "ping", replyTo: nil, now: Timestamp(millisecondsSinceEpoch: 1))
            let failed = await finish(["missing"], in: store)
            #expect((failed["missing"] ?? nil)?.code == .notFound)
            #expect((failed["missing"] ?? nil)?.description.contains("no received message missing") == true)
            let committed = await finish(["known"], in: store)
            #expect((committed["known"] ?? nil) == nil)
            #expect(try store.runningReceived().isEmpty)
        }
    }
}
