import Dispatch
import Synchronization

/// A counting semaphore: `acquire` waits until a slot is free, suspended (a task) or blocked (a thread of its own,
/// such as libnats' delivery thread for a subscription).
public final class Capacity: Sendable {
    private enum Waiter {
        case task(CheckedContinuation<Void, Never>)
        case thread(DispatchSemaphore)

        func wake() {
            switch self {
            case .task(let continuation): continuation.resume()
            case .thread(let semaphore): semaphore.signal()
            }
        }
    }

    private struct State {
        var available: Int
        var waiters: [Waiter] = []
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
            if take(or: .task(continuation)) { continuation.resume() }
        }
    }

    /// Takes a slot, blocking the calling thread until one is released if none is free. Never call it on the
    /// cooperative pool.
    public func acquireBlocking() {
        if take(or: nil) { return }
        let semaphore = DispatchSemaphore(value: 0)
        if !take(or: .thread(semaphore)) { semaphore.wait() }
    }

    /// Takes a slot if one is free, without waiting; returns whether it did.
    public func tryAcquire() -> Bool {
        take(or: nil)
    }

    /// Takes a free slot and returns true, or queues `waiter` (if any) and returns false.
    private func take(or waiter: Waiter?) -> Bool {
        state.withLock { state in
            guard state.available > 0 else {
                if let waiter { state.waiters.append(waiter) }
                return false
            }
            state.available -= 1
            return true
        }
    }

    /// Gives a slot back (to the longest waiter, if any).
    public func release() {
        let waiter = state.withLock { state -> Waiter? in
            guard !state.waiters.isEmpty else {
                state.available += 1
                return nil
            }
            return state.waiters.removeFirst()
        }
        waiter?.wake()
    }
}
