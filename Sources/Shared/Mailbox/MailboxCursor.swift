/// A node's place in its mailbox stream, for the ordered-reader design: the sequence up to which every message
/// delivered to it has been handled (its dedup record and its answer durable). The agent keeps this place in its
/// own store and reads again after it when it reconnects; no server keeps anything for it.
///
/// Messages run concurrently and finish out of order, so the place moves only over a run of finished ones: after
/// a crash the node reads again from the oldest unfinished message, and the few after it that had finished are
/// answered from the dedup store. Sequences of other nodes' messages are never delivered here, so the place may
/// jump over them.
public struct MailboxCursor: Sendable, Equatable {
    /// Every message at or below this stream sequence has been handled.
    public private(set) var handledThrough: UInt64
    /// Delivered and not handled yet, in delivery (stream) order.
    private var running: [UInt64] = []
    /// Handled, but after one still running.
    private var finishedEarly: Set<UInt64> = []

    public init(handledThrough: UInt64 = 0) {
        self.handledThrough = handledThrough
    }

    /// Records a delivery; false when the message is at or below the place or already delivered (a consumer that
    /// was recreated delivers again from where it stood): it is not to be run again.
    public mutating func delivered(_ sequence: UInt64) -> Bool {
        guard sequence > handledThrough, sequence > (running.last ?? 0), !finishedEarly.contains(sequence) else {
            return false
        }
        running.append(sequence)
        return true
    }

    /// Records that a delivered message has been handled; returns the new place when it moved (to be stored).
    public mutating func handled(_ sequence: UInt64) -> UInt64? {
        guard running.contains(sequence) else { return nil }
        finishedEarly.insert(sequence)
        var moved = false
        while let first = running.first, finishedEarly.remove(first) != nil {
            running.removeFirst()
            handledThrough = first
            moved = true
        }
        return moved ? handledThrough : nil
    }

    /// Messages delivered and not handled yet.
    public var inFlight: Int { running.count - finishedEarly.count }
}
