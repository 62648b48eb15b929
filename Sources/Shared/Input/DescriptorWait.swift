import Dispatch
import Synchronization

/// Non-blocking I/O on one descriptor, driven by the kernel: `step` runs on a Dispatch queue each time the
/// descriptor is ready (readable, or writable), until it returns true or `timeout` passes.
///
/// Nothing polls and no thread of the cooperative pool waits. When ``run(_:_:timeout:step:)`` returns, the
/// Dispatch source is done with the descriptor (its cancel handler has run), so the caller may close it.
enum DescriptorWait {
    enum Direction: Sendable { case read, write }

    /// True when `step` finished; false when the time ran out (or the task was cancelled) first.
    static func run(
        _ descriptor: Int32, _ direction: Direction, timeout: Duration, step: @escaping @Sendable () -> Bool
    ) async -> Bool {
        let waiter = Waiter(descriptor, direction, timeout: timeout, step: step)
        return await withTaskCancellationHandler {
            await withCheckedContinuation { waiter.start($0) }
        } onCancel: {
            waiter.finish(false)
        }
    }

    private final class Waiter: @unchecked Sendable {
        // @unchecked: the sources are made in init and then only resumed and cancelled, which Dispatch allows
        // from any thread; everything else is in `state`.
        private struct State {
            var continuation: CheckedContinuation<Bool, Never>?
            var result: Bool?
            var started = false
        }

        private let state = Mutex(State())
        private let io: any DispatchSourceProtocol
        private let timer: any DispatchSourceTimer

        init(_ descriptor: Int32, _ direction: Direction, timeout: Duration, step: @escaping @Sendable () -> Bool) {
            // One serial queue for both sources: a step never runs beside the timer's finish.
            let queue = DispatchQueue(label: "bosun.descriptor", target: .global())
            io = direction == .read
                ? DispatchSource.makeReadSource(fileDescriptor: descriptor, queue: queue)
                : DispatchSource.makeWriteSource(fileDescriptor: descriptor, queue: queue)
            timer = DispatchSource.makeTimerSource(queue: queue)
            timer.schedule(deadline: .now() + timeout.seconds)
            io.setEventHandler { [self] in if step() { finish(true) } }
            timer.setEventHandler { [self] in finish(false) }
            // The answer goes out only once the source has let go of the descriptor.
            io.setCancelHandler { [self] in
                let continuation = state.withLock { state in
                    defer { state.continuation = nil }
                    return state.continuation
                }
                continuation?.resume(returning: state.withLock { $0.result } ?? false)
            }
        }

        func start(_ continuation: CheckedContinuation<Bool, Never>) {
            let finished = state.withLock { state in
                state.continuation = continuation
                state.started = true
                return state.result != nil
            }
            io.resume()
            timer.resume()
            if finished { stop() }
        }

        /// Settles the result (the first call wins) and lets the sources go.
        func finish(_ result: Bool) {
            let started = state.withLock { state in
                guard state.result == nil else { return false }
                state.result = result
                return state.started
            }
            if started { stop() }
        }

        private func stop() {
            timer.cancel()
            io.cancel()
        }
    }
}
