import Synchronization

/// A counting semaphore for tasks: `acquire` waits (suspended, not blocking a thread) until a slot is free.
public final class Capacity: Sendable {
    private struct State {
        var available: Int
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state: Mutex<State>
    private let slots: Int

    public init(_ slots: Int) {
        self.slots = max(1, slots)
        state = Mutex(State(available: self.slots))
    }

    /// Slots taken now.
    public var inUse: Int { slots - state.withLock { $0.available } }

    /// Takes a slot, waiting for one to be released if none is free.
    public func acquire() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let granted = state.withLock { state -> Bool in
                guard state.available > 0 else {
                    state.waiters.append(continuation)
                    return false
                }
                state.available -= 1
                return true
            }
            if granted { continuation.resume() }
        }
    }

    /// Gives a slot back (to the longest waiter, if any).
    public func release() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard !state.waiters.isEmpty else {
                state.available += 1
                return nil
            }
            return state.waiters.removeFirst()
        }
        waiter?.resume()
    }
}
