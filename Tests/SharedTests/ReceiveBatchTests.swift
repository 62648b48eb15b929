import Synchronization
import Testing

@testable import Shared

/// The receiver's records gathered on its delivery thread and committed there: completions in the order the writes
/// were added, what they add committed in the same call, a failing write alone in failing.
@Suite struct ReceiveBatchTests {
    private let reply = Reply(id: "r", fromNode: "alpha", status: .ok)
    private let start = Timestamp(millisecondsSinceEpoch: 1)

    @Test func completionsRunInOrderAndTheResultsTheyAddAreCommittedInTheSameCall() throws {
        try withTemporaryDirectory { directory in
            let store = try Store(path: directory + "/state.db")
            let batch = ReceiveBatch(store: store)
            let order = Mutex<[String]>([])
            let ids = (0..<100).map { "m\($0)" }
            for id in ids {
                batch.add(store.beginReceiveWrite(id: id, fromNode: "edge", method: "log", replyTo: nil, expiresAt: nil, now: start) { begun in
                    guard case .success(.new) = begun else {
                        Issue.record("\(id): \(begun)")
                        return
                    }
                    order.withLock { $0.append(id) }
                    // What a run that happens at once does in its completion: its result joins the batch.
                    batch.add(store.finishReceiveWrite(id: id, reply: reply, now: start) { error in
                        if let error { Issue.record("\(id): \(error)") }
                        order.withLock { $0.append("done " + id) }
                    })
                })
            }
            let before = store.groupCommit.submitted.load(ordering: .relaxed)
            batch.commit()
            #expect(order.withLock { $0 } == ids + ids.map { "done " + $0 })
            #expect(batch.count == 0)
            #expect(store.groupCommit.submitted.load(ordering: .relaxed) - before == 200)
            #expect(try store.runningReceived().isEmpty)
            #expect(try store.receivedCount() == 100)
        }
    }

    @Test func aFailingWriteFailsAloneAndTheOthersInItsBatchAreStored() throws {
        try withTemporaryDirectory { directory in
            let store = try Store(path: directory + "/state.db")
            _ = try store.beginReceive(id: "known", fromNode: "edge", method: "log", replyTo: nil, now: start)
            let batch = ReceiveBatch(store: store)
            let errors = Mutex<[String: String]>([:])
            for id in ["known", "missing"] {
                batch.add(store.finishReceiveWrite(id: id, reply: reply, now: start) { error in
                    errors.withLock { $0[id] = error.map { "\($0)" } ?? "none" }
                })
            }
            batch.commit()
            let seen = errors.withLock { $0 }
            #expect(seen["known"] == "none")
            #expect(seen["missing"]?.contains("no received message missing") == true, "\(seen)")
            #expect(try store.runningReceived().isEmpty)
        }
    }

    @Test func aRetryOfAFinishedMessageGetsItsStoredReplyAndRecordsNothingNew() throws {
        try withTemporaryDirectory { directory in
            let store = try Store(path: directory + "/state.db")
            let batch = ReceiveBatch(store: store)
            let answers = Mutex<[String]>([])
            for copy in 0..<2 {
                batch.add(store.recordRunWrite(
                    id: "p1", fromNode: "central", method: "ping", replyTo: nil,
                    reply: Reply(id: "p1", fromNode: "edge", status: .ok, stdout: "run \(copy)"), now: start
                ) { recorded in
                    answers.withLock { $0.append((try? recorded.get().stdout ?? "") ?? "failed") }
                })
            }
            batch.commit()
            // Two copies ran; both answer with the result stored first.
            #expect(answers.withLock { $0 } == ["run 0", "run 0"])
            #expect(try store.receivedCount() == 1)
        }
    }
}
