import Synchronization

/// A single-consumer queue that producers on any thread (libnats callbacks included) deliver into,
/// and one task receives from, with an optional timeout.
public final class Mailbox<Element: Sendable>: Sendable {
    private struct Waiter {
        var token: UInt64
        var continuation: CheckedContinuation<Element?, Never>
        /// When the wait ends with nil if nothing came (nil: it waits for an element).
        var deadline: Timestamp?
    }

    private struct State {
        var buffer: [Element] = []
        var head = 0
        var waiter: Waiter?
        var closed = false
        var nextToken: UInt64 = 0
        /// The token whose wait ended before it began (cancelled first).
        var expired: UInt64 = 0
        /// The earliest deadline a timer is armed for, if any.
        var armedUntil: Timestamp?
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
        await receive(token: nextToken(), deadline: nil, clock: SystemClock())
    }

    /// The next element, or nil if none arrives within `timeout` (or the mailbox closes).
    ///
    /// The element is handed straight to the waiting task by whoever delivers it; a timer only ends the wait when
    /// nothing came.
    public func receive(timeout: Duration) async -> Element? {
        let clock = SystemClock()
        return await receive(until: clock.now.adding(seconds: timeout.seconds), clock: clock)
    }

    /// The next element, or nil if none arrives before `deadline` by `clock` (or the mailbox closes).
    ///
    /// Waits do not each arm a timer: one armed for an earlier or equal deadline serves a later wait too (when it
    /// fires before the wait's deadline, it arms the next one). A receiver that waits again and again for a
    /// deadline that moves later (a lane waiting for the oldest ACK of its window) costs a timer per deadline
    /// passed, not one per wait.
    public func receive(until deadline: Timestamp, clock: some DeliveryClock) async -> Element? {
        await receive(token: nextToken(), deadline: deadline, clock: clock)
    }

    /// The next element if one is there now, without waiting.
    public func poll() -> Element? {
        state.withLock { Self.take(&$0) }
    }

    /// Whether an element is there to poll.
    public var hasElements: Bool {
        state.withLock { $0.head < $0.buffer.count }
    }

    private static func take(_ state: inout State) -> Element? {
        guard state.head < state.buffer.count else { return nil }
        let element = state.buffer[state.head]
        state.head += 1
        if state.head > 64, state.head * 2 > state.buffer.count {
            state.buffer.removeFirst(state.head)
            state.head = 0
        }
        return element
    }

    private func nextToken() -> UInt64 {
        state.withLock { state -> UInt64 in
            state.nextToken += 1
            return state.nextToken
        }
    }

    private func receive(token: UInt64, deadline: Timestamp?, clock: some DeliveryClock) async -> Element? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Element?, Never>) in
                var arm = false
                let immediate: Element?? = state.withLock { state in
                    if let element = Self.take(&state) { return .some(element) }
                    // A cancellation that came before the wait began has nothing to end: the token is spent.
                    if state.closed || Task.isCancelled || state.expired == token { return .some(nil) }
                    precondition(state.waiter == nil, "Mailbox has one receiver at a time")
                    state.waiter = Waiter(token: token, continuation: continuation, deadline: deadline)
                    arm = Self.needsTimer(for: deadline, &state)
                    return .none
                }
                if let immediate { return continuation.resume(returning: immediate) }
                // Armed once the waiter is in place, so it cannot fire before there is a wait to end.
                if arm, let deadline { self.arm(deadline, clock: clock) }
            }
        } onCancel: {
            endWait(token)
        }
    }

    /// Whether a wait until `deadline` needs a timer of its own (none is armed for that time or earlier); if so,
    /// records it as armed.
    private static func needsTimer(for deadline: Timestamp?, _ state: inout State) -> Bool {
        guard let deadline, state.armedUntil.map({ $0 > deadline }) ?? true else { return false }
        state.armedUntil = deadline
        return true
    }

    private func arm(_ deadline: Timestamp, clock: some DeliveryClock) {
        Task { [weak self] in
            try? await clock.sleep(until: deadline)
            self?.timerFired(deadline, clock: clock)
        }
    }

    /// A timer armed for `fired` went off: it ends the wait if that wait's deadline has come, or arms the next
    /// timer for a wait that lasts longer.
    private func timerFired(_ fired: Timestamp, clock: some DeliveryClock) {
        var rearm: Timestamp?
        let waiter = state.withLock { state -> Waiter? in
            if state.armedUntil == fired { state.armedUntil = nil }
            guard let waiter = state.waiter, let deadline = waiter.deadline else { return nil }
            guard deadline <= fired else {
                if Self.needsTimer(for: deadline, &state) { rearm = deadline }
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.continuation.resume(returning: nil)
        if let rearm { arm(rearm, clock: clock) }
    }

    /// Ends the wait of `token` with nil, if it is still waiting (cancelled).
    private func endWait(_ token: UInt64) {
        let waiter = state.withLock { state -> Waiter? in
            guard let waiter = state.waiter, waiter.token == token else {
                state.expired = token
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.continuation.resume(returning: nil)
    }
}
