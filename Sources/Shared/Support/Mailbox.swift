import Synchronization

/// A single-consumer queue that producers on any thread (libnats callbacks included) deliver into,
/// and one task receives from, with an optional timeout.
public final class Mailbox<Element: Sendable>: Sendable {
    private struct Waiter {
        var token: UInt64
        var continuation: CheckedContinuation<Element?, Never>
    }

    private struct State {
        var buffer: [Element] = []
        var head = 0
        var waiter: Waiter?
        var closed = false
        var nextToken: UInt64 = 0
    }

    private let state = Mutex(State())

    public init() {}

    /// Adds an element; wakes the receiver if it is waiting. Ignored once closed.
    public func deliver(_ element: Element) {
        let waiter: Waiter? = state.withLock { state in
            guard !state.closed else { return nil }
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.buffer.append(element)
            return nil
        }
        waiter?.continuation.resume(returning: element)
    }

    /// Ends the mailbox: a waiting receiver gets nil, and so does every later receive once the buffer is empty.
    public func close() {
        let waiter = state.withLock { state -> Waiter? in
            state.closed = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.continuation.resume(returning: nil)
    }

    /// The next element; nil when the mailbox is closed or the task is cancelled.
    public func receive() async -> Element? {
        let token = state.withLock { state -> UInt64 in
            state.nextToken += 1
            return state.nextToken
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Element?, Never>) in
                let immediate: Element?? = state.withLock { state in
                    if state.head < state.buffer.count {
                        let element = state.buffer[state.head]
                        state.head += 1
                        if state.head > 64, state.head * 2 > state.buffer.count {
                            state.buffer.removeFirst(state.head)
                            state.head = 0
                        }
                        return .some(element)
                    }
                    if state.closed || Task.isCancelled { return .some(nil) }
                    precondition(state.waiter == nil, "Mailbox has one receiver at a time")
                    state.waiter = Waiter(token: token, continuation: continuation)
                    return .none
                }
                if let immediate { continuation.resume(returning: immediate) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> Waiter? in
                guard let waiter = state.waiter, waiter.token == token else { return nil }
                state.waiter = nil
                return waiter
            }
            waiter?.continuation.resume(returning: nil)
        }
    }

    /// The next element, or nil if none arrives within `timeout` (or the mailbox closes).
    public func receive(timeout: Duration) async -> Element? {
        await withTaskGroup(of: Element?.self) { group in
            group.addTask { await self.receive() }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            // The other child may have taken an element in the same instant: keep it rather than lose it.
            var found = first
            while let other = await group.next() {
                if found == nil { found = other }
            }
            return found
        }
    }
}
