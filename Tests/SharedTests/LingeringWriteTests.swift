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

    /// Message `id` accepted in `store`, then its final state submitted (lingering, the store being idle); what that
    /// write's completion reported, once it ran.
    private func acceptedThenFinished(_ id: String, in store: Store) throws -> Completion {
        _ = try store.accept([try message(id)], now: Timestamp(millisecondsSinceEpoch: 1))
        let recorded = Completion()
        store.finishOutboxSoon([final(id)], now: Timestamp(millisecondsSinceEpoch: 2)) { recorded.ran(with: $0) }
        return recorded
    }

    /// What a write's completion reported: nil until it ran, then its error (`.some(nil)`: none).
    private final class Completion: Sendable {
        private let state = Mutex<StoreError??>(nil)
        func ran(with error: StoreError?) { state.withLock { $0 = .some(error) } }
        var reported: StoreError?? { state.withLock { $0 } }
    }

    @Test func anAcceptTakesTheLingeringFinalStatesIntoItsCommit() async throws {
        try await withTemporaryDirectory { directory in
            // Lingering for a minute: only the accept can have committed it when the test looks.
            let store = try Store(path: directory + "/state.db", linger: .seconds(60))
            let recorded = try acceptedThenFinished("first", in: store)
            // The final state lingers (nothing else is being written); the accept commits it first, in its own
            // transaction, and its completion has run by the time the accept returns.
            let before = recorded.reported
            #expect(before == nil)
            _ = try store.accept([try message("second")], now: Timestamp(millisecondsSinceEpoch: 3))
            let after = recorded.reported
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
            let recorded = try acceptedThenFinished("only", in: store)
            // A write that cannot wait is committed now, and the lingering one with it, not ten minutes on.
            let committed = Atomic(false)
            store.grouped({ _ throws(StoreError) in }, done: { _ in committed.store(true, ordering: .sequentiallyConsistent) })
            let deadline = ContinuousClock.now + .seconds(10)
            while !committed.load(ordering: .sequentiallyConsistent), ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(10))
            }
            let after = recorded.reported
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
            let recorded = try acceptedThenFinished("first", in: store)
            let again = try message("first")
            let error = #expect(throws: StoreError.self) { try store.accept([again], now: Timestamp(millisecondsSinceEpoch: 3)) }
            #expect(error?.code == .duplicateID)
            #expect(error?.description.contains("message first is already in the outbox") == true)
            let after = recorded.reported
            #expect(after == .some(nil))
            #expect(try store.outboxRecord(id: "first")?.state == .acked)
            await store.settle()
        }
    }
}
