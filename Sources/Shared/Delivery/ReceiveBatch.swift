import Synchronization

/// The receiver's writes, gathered on its delivery thread while more messages wait there and committed together on
/// that thread: a burst of messages costs one commit (two for those recorded before they run, whose results follow
/// in a second), and no message waits for a hand-off to the commit queue and back.
///
/// Completions run on the committing thread in the order their writes were added, so runs released by them (the
/// handlers that run at once) keep the order the messages arrived in.
final class ReceiveBatch: Sendable {
    /// Past this many writes a batch is committed even while more messages wait.
    static let limit = 256

    private let store: Store
    private let writes = Mutex<[GroupCommit.Write]>([])
    /// Held while committing, so that two threads committing (the delivery thread and the subscription's end) keep
    /// the completions in order.
    private let committing = Mutex<Void>(())

    init(store: Store) {
        self.store = store
    }

    /// Writes gathered and not committed yet.
    var count: Int { writes.withLock { $0.count } }

    /// Gathers `write` for the next ``commit()``.
    func add(_ write: GroupCommit.Write) {
        writes.withLock { $0.append(write) }
    }

    /// Commits what was gathered, then what its completions added (the results of the runs they released), until
    /// nothing is left; every completion has run on return.
    func commit() {
        committing.withLock { _ in
            while true {
                let batch = writes.withLock { writes -> [GroupCommit.Write] in
                    defer { writes.removeAll(keepingCapacity: true) }
                    return writes
                }
                if batch.isEmpty { return }
                store.commitHere(batch)
            }
        }
    }
}
