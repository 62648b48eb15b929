import Synchronization

/// The receiver's writes, gathered on its delivery thread while more messages wait there and committed together on
/// that thread: a burst of messages costs one commit (two for those recorded before they run, whose results follow
/// in a second), and no message waits for a hand-off to the commit queue and back.
///
/// Completions run on the committing thread in the order their writes were added, so runs released by them (the
/// handlers that run at once) keep the order the messages arrived in. The answers they make to senders that take
/// batches of ACKs are held (``hold(_:)``) and go out together once the commit is done (``ReplyBatch``).
final class ReceiveBatch: Sendable {
    /// An answer held to go out with the others of its commit.
    struct HeldAnswer: Sendable {
        var reply: Reply
        var replyTo: String
        /// Who asked: the key the message was signed with, whose pair key authenticates the batch.
        var asker: Asker
    }

    /// Past this many writes a batch is committed even while more messages wait.
    static let limit = 256

    private let store: Store
    private let writes = Mutex<[GroupCommit.Write]>([])
    /// Held while committing, so that two threads committing (the delivery thread and the subscription's end) keep
    /// the completions in order.
    private let committing = Mutex<Void>(())
    private let held = Mutex<[HeldAnswer]>([])
    /// Sends the answers held in one commit.
    private let sendHeld: @Sendable ([HeldAnswer]) -> Void

    init(store: Store, sendHeld: @escaping @Sendable ([HeldAnswer]) -> Void = { _ in }) {
        self.store = store
        self.sendHeld = sendHeld
    }

    /// Writes gathered and not committed yet.
    var count: Int { writes.withLock { $0.count } }

    /// Gathers `write` for the next ``commit()``.
    func add(_ write: GroupCommit.Write) {
        writes.withLock { $0.append(write) }
    }

    /// Holds `answer` until the commit under way is done. Called by the completions of its writes only.
    func hold(_ answer: HeldAnswer) {
        held.withLock { $0.append(answer) }
    }

    /// Commits what was gathered, then what its completions added (the results of the runs they released), until
    /// nothing is left, then sends the answers they held; every completion has run on return.
    func commit() {
        committing.withLock { _ in
            while true {
                let batch = Self.takeAll(writes)
                if batch.isEmpty { break }
                store.commitHere(batch)
            }
            let answers = Self.takeAll(held)
            if !answers.isEmpty { sendHeld(answers) }
        }
    }

    /// What `list` holds, leaving it empty (with its room kept).
    private static func takeAll<Element>(_ list: borrowing Mutex<[Element]>) -> [Element] {
        list.withLock { list in
            defer { list.removeAll(keepingCapacity: true) }
            return list
        }
    }
}
