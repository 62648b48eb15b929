import Dispatch
import Synchronization

/// Writes from many tasks committed together: one transaction per batch, each write in its own savepoint, so
/// one failing write neither fails nor undoes the others.
///
/// The first write finds no batch in progress and starts a drain task; writes that come while it commits wait
/// for the next batch. Under load a batch holds everything that arrived during the previous commit, so a
/// thousand concurrent writers cost a few commits rather than a thousand. Writes commit in submission order; each
/// batch's `done`s run in order once it is committed (those of an accept's batch on the accept's thread).
///
/// A write nobody waits for (``Write/canWait``: a lane's final states, shown to observers before they are written)
/// that finds the store idle lingers a moment for company: the next write, or an accept committed here
/// (``commitNow(_:)``), takes it along in its transaction. A node answering one request at a time (a sequential
/// ping) then makes one commit per message instead of two, and its next accept does not wait behind the last
/// message's final state.
final class GroupCommit: Sendable {
    struct Write: Sendable {
        var body: @Sendable (Connection) throws(StoreError) -> Void
        var done: @Sendable (StoreError?) -> Void
        /// Whether the write may wait up to ``GroupCommit/linger`` for another to commit with.
        var canWait = false
    }

    private struct Pending {
        var writes: [Write] = []
        var draining = false
        /// Every write pending can wait, and waits for a drain scheduled after ``GroupCommit/linger``: no drain has
        /// taken a batch it has not committed yet.
        var lingering = false
    }

    /// How long a write that can wait stays for company when it finds the store idle.
    static let linger: DispatchTimeInterval = .milliseconds(2)
    private let linger: DispatchTimeInterval

    private let database: Database
    private let pending = Mutex(Pending())
    /// Held from taking a batch until it is committed (its `done`s run after): batches commit in the order they were
    /// taken, whichever thread commits them (the drain, or an accept that took lingering writes along).
    private let order = Mutex(())
    private let queue = DispatchQueue(label: "bosun.store.commit")
    /// Writes submitted so far: what a test counts to see that work does not grow with a backlog.
    let submitted = Atomic<Int>(0)

    init(database: Database, linger: DispatchTimeInterval) {
        self.database = database
        self.linger = linger
    }

    func submit(_ write: Write) {
        submitted.add(1, ordering: .relaxed)
        enum Start { case none, now, later }
        let start = pending.withLock { pending -> Start in
            pending.writes.append(write)
            if pending.draining {
                // A write that cannot wait ends the lingering of those before it.
                guard pending.lingering, !write.canWait else { return .none }
                pending.lingering = false
                return .now
            }
            pending.draining = true
            pending.lingering = write.canWait
            return write.canWait ? .later : .now
        }
        // Commits block on the disk: on a queue of their own, never on the cooperative pool. (A lingering drain
        // hurried by a later write runs twice: the second finds nothing left.)
        switch start {
        case .none: break
        case .now: queue.async { self.drain() }
        case .later: queue.asyncAfter(deadline: .now() + linger) { self.drain() }
        }
    }

    /// Commits `write` on the calling thread, now, and returns once its `done` has run. For an accept, which its
    /// caller waits for: the writes lingering for company go first in the same transaction, instead of a commit of
    /// their own that the accept would wait behind. (Only lingering ones: all can wait, and no drain has taken an
    /// earlier batch. What is submitted after them commits after them: `order`.)
    func commitNow(_ write: Write) {
        submitted.add(1, ordering: .relaxed)
        let (batch, errors) = order.withLock { _ -> ([Write], [StoreError?]) in
            let lingering = pending.withLock { pending -> [Write] in
                guard pending.lingering else { return [] }
                let taken = pending.writes
                pending.writes = []
                // No drain has started (one that had would have ended the lingering): the next write starts its own
                // at once instead of waiting for the scheduled one, which then finds nothing, or what came since
                // (committed after these: `order`).
                pending.lingering = false
                pending.draining = false
                return taken
            }
            let batch = lingering + [write]
            return (batch, execute(batch))
        }
        Self.finish(batch, errors)
    }

    /// Commits `batch` on the calling thread, now, as one batch (the same way a drain commits one), and runs each
    /// write's `done` here in order. For a thread of its own that has gathered writes and should not wait for a
    /// hand-off to the commit queue and back (the receiver's delivery thread); never on the cooperative pool. It
    /// waits only for a commit under way (the database takes one writer at a time).
    func commitHere(_ batch: [Write]) {
        guard !batch.isEmpty else { return }
        submitted.add(batch.count, ordering: .relaxed)
        commit(batch)
    }

    private func drain() {
        while true {
            // Taken and committed under `order`: nothing submitted later commits before what an accept took along.
            let (batch, errors) = order.withLock { _ -> ([Write], [StoreError?]) in
                let batch = pending.withLock { pending -> [Write] in
                    let batch = pending.writes
                    pending.writes = []
                    pending.lingering = false
                    if batch.isEmpty { pending.draining = false }
                    return batch
                }
                return (batch, batch.isEmpty ? [] : execute(batch))
            }
            if batch.isEmpty { return }
            // Outside `order`: a `done` may accept again (an error reported to the central node, say).
            Self.finish(batch, errors)
        }
    }

    private func commit(_ batch: [Write]) {
        Self.finish(batch, execute(batch))
    }

    /// Runs each write's `done` with its error, in order.
    private static func finish(_ batch: [Write], _ errors: [StoreError?]) {
        for (write, error) in zip(batch, errors) { write.done(error) }
    }

    /// Runs `batch` in one transaction and returns each write's error; calls no `done`.
    private func execute(_ batch: [Write]) -> [StoreError?] {
        // Writes rarely fail: the batch is tried as one transaction first, without a savepoint per write (two
        // statements each, and SQLite journals the pages a savepoint's write changes). Should one fail, the
        // whole is rolled back and run again write by write, each in its own savepoint. (A write's body only
        // touches the store and what it captured to answer with, so it may run twice.)
        if batch.count > 1, commitWhole(batch) { return Array(repeating: nil, count: batch.count) }
        var errors = [StoreError?](repeating: nil, count: batch.count)
        do throws(StoreError) {
            try database.transaction { connection throws(StoreError) in
                // A batch of one needs no savepoint: should it fail, the transaction rolls back with it.
                if batch.count == 1 { return try batch[0].body(connection) }
                // Prepared once and kept (``Connection/run(_:_:)``), not compiled again for every write.
                for (index, write) in batch.enumerated() {
                    try connection.run("SAVEPOINT write")
                    do throws(StoreError) {
                        try write.body(connection)
                    } catch {
                        errors[index] = error
                        try connection.run("ROLLBACK TO write")
                    }
                    try connection.run("RELEASE write")
                }
            }
        } catch {
            errors = Array(repeating: error, count: batch.count)
        }
        return errors
    }

    /// Commits the batch as one transaction; false (and nothing stored) if any write failed.
    private func commitWhole(_ batch: [Write]) -> Bool {
        do throws(StoreError) {
            try database.transaction { connection throws(StoreError) in
                for write in batch { try write.body(connection) }
            }
            return true
        } catch {
            return false
        }
    }
}

extension Store {
    /// Runs `body` in the next group commit and returns once it is durable.
    func grouped(_ body: @escaping @Sendable (Connection) throws(StoreError) -> Void) async throws(StoreError) {
        let error: StoreError? = await withCheckedContinuation { continuation in
            groupCommit.submit(GroupCommit.Write(body: body, done: { continuation.resume(returning: $0) }))
        }
        if let error { throw error }
    }

    /// Returns once every write submitted before it is committed (on shutdown: nothing left behind in memory).
    public func settle() async {
        try? await grouped { _ throws(StoreError) in }
    }

    /// Commits `writes` on the calling thread (see ``GroupCommit/commitHere(_:)``); each `done` has run on return.
    func commitHere(_ writes: [GroupCommit.Write]) {
        groupCommit.commitHere(writes)
    }

    /// Submits `write` to the next group commit.
    func grouped(_ write: GroupCommit.Write) {
        groupCommit.submit(write)
    }

    /// Runs `body` in the next group commit; `done` runs once it is durable (or failed), in submission order.
    /// `canWait`: nobody waits for it, and it may linger for company (``GroupCommit/Write/canWait``).
    func grouped(
        _ body: @escaping @Sendable (Connection) throws(StoreError) -> Void, canWait: Bool = false,
        done: @escaping @Sendable (StoreError?) -> Void
    ) {
        groupCommit.submit(GroupCommit.Write(body: body, done: done, canWait: canWait))
    }

    /// Runs `body` now on the calling thread, in one transaction with the writes lingering for company
    /// (``GroupCommit/commitNow(_:)``), and returns what it returned.
    func committedNow<R: Sendable>(_ body: @escaping @Sendable (Connection) throws(StoreError) -> R) throws(StoreError) -> R {
        let outcome = Mutex<Result<R, StoreError>?>(nil)
        groupCommit.commitNow(GroupCommit.Write(
            // The body may run twice (a batch that failed whole is run again write by write): the last run counts.
            body: { connection throws(StoreError) in
                let value = try body(connection)
                outcome.withLock { $0 = .success(value) }
            },
            done: { error in if let error { outcome.withLock { $0 = .failure(error) } } }))
        guard let result = outcome.withLock({ $0 }) else {
            throw StoreError(.failed, path: path, "a write committed now was neither done nor failed")
        }
        return try result.get()
    }
}
