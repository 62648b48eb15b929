@testable import Shared
import Synchronization
import Testing

/// A lane's final states linger a moment for company (``GroupCommit/Write/canWait``): an accept commits them in its
/// own transaction instead of waiting behind a commit of theirs; alone, they are committed all the same.
struct LingeringWriteTests {
    private func message(_ id: String) throws -> Message {
        try Message(id: id, toNode: "edge", method: .ping).accepted(from: "central", defaults: .standard)[0]
    }

    private func final(_ id: String) -> Store.OutboxFinal {
        Store.OutboxFinal(id: id, state: .acked, attempts: 1, lastError: nil, reply: nil)
    }

    @Test func anAcceptTakesTheLingeringFinalStatesIntoItsCommit() async throws {
        try await withTemporaryDirectory { directory in
            // Lingering for a minute: only the accept can have committed it when the test looks.
            let store = try Store(path: directory + "/state.db", linger: .seconds(60))
            _ = try store.accept([try message("first")], now: Timestamp(millisecondsSinceEpoch: 1))
            let recorded = Mutex<StoreError??>(nil)
            store.finishOutboxSoon([final("first")], now: Timestamp(millisecondsSinceEpoch: 2)) { error in
                recorded.withLock { $0 = .some(error) }
            }
            // The final state lingers (nothing else is being written); the accept commits it first, in its own
            // transaction, and its completion has run by the time the accept returns.
            let before = recorded.withLock { $0 }
            #expect(before == nil)
            _ = try store.accept([try message("second")], now: Timestamp(millisecondsSinceEpoch: 3))
            let after = recorded.withLock { $0 }
            #expect(after == .some(nil))
            #expect(try store.outboxRecord(id: "first")?.state == .acked)
            #expect(try store.outboxRecord(id: "second")?.state == .queued)
            // Whatever the accept did not take, a write that cannot wait takes out before the directory goes.
            await store.settle()
        }
    }

    @Test func aWriteThatCannotWaitEndsTheLingeringOfThoseBeforeIt() async throws {
        try await withTemporaryDirectory { directory in
            let store = try Store(path: directory + "/state.db", linger: .seconds(600))
            _ = try store.accept([try message("only")], now: Timestamp(millisecondsSinceEpoch: 1))
            let recorded = Mutex<StoreError??>(nil)
            store.finishOutboxSoon([final("only")], now: Timestamp(millisecondsSinceEpoch: 2)) { error in
                recorded.withLock { $0 = .some(error) }
            }
            // A write that cannot wait is committed now, and the lingering one with it, not ten minutes on.
            let committed = Atomic(false)
            store.grouped({ _ throws(StoreError) in }, done: { _ in committed.store(true, ordering: .sequentiallyConsistent) })
            let deadline = ContinuousClock.now + .seconds(10)
            while !committed.load(ordering: .sequentiallyConsistent), ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(10))
            }
            let after = recorded.withLock { $0 }
            #expect(after == .some(nil))
            #expect(try store.outboxRecord(id: "only")?.state == .acked)
        }
    }

    @Test func aLingeringFinalStateAloneIsCommittedAllTheSame() async throws {
        try await withTemporaryDirectory { directory in
            let store = try Store(path: directory + "/state.db")
            _ = try store.accept([try message("only")], now: Timestamp(millisecondsSinceEpoch: 1))
            let error: StoreError? = await withCheckedContinuation { continuation in
                store.finishOutboxSoon([final("only")], now: Timestamp(millisecondsSinceEpoch: 2)) { continuation.resume(returning: $0) }
            }
            #expect(error == nil)
            #expect(try store.outboxRecord(id: "only")?.state == .acked)
        }
    }

    @Test func aDuplicateAcceptFailsAloneAndTheLingeringStateItTookIsStored() async throws {
        try await withTemporaryDirectory { directory in
            let store = try Store(path: directory + "/state.db", linger: .seconds(60))
            _ = try store.accept([try message("first")], now: Timestamp(millisecondsSinceEpoch: 1))
            let recorded = Mutex<StoreError??>(nil)
            store.finishOutboxSoon([final("first")], now: Timestamp(millisecondsSinceEpoch: 2)) { error in
                recorded.withLock { $0 = .some(error) }
            }
            let again = try message("first")
            let error = #expect(throws: StoreError.self) { try store.accept([again], now: Timestamp(millisecondsSinceEpoch: 3)) }
            #expect(error?.code == .duplicateID)
            #expect(error?.description.contains("message first is already in the outbox") == true)
            let after = recorded.withLock { $0 }
            #expect(after == .some(nil))
            #expect(try store.outboxRecord(id: "first")?.state == .acked)
            await store.settle()
        }
    }
}
