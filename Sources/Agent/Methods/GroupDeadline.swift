import Dispatch
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Ends a child's process group when its time is up: SIGTERM, then SIGKILL after a grace period.
///
/// A timer on a Dispatch queue rather than a task sleeping beside each command: a running command holds no task
/// for its deadline, and one that finishes in time costs one timer armed and cancelled.
final class GroupDeadline: Sendable {
    /// The longest wait a timer is armed for; a longer timeout is as good as none.
    static let longest = 100 * 365 * 86_400.0

    private let timer: Timer
    private let state: State

    init(group: pid_t, after timeout: Double, grace: Double) {
        let state = State()
        let timer = Timer(DispatchSource.makeTimerSource(queue: .global()))
        timer.source.setEventHandler {
            if state.expired.exchange(true, ordering: .acquiringAndReleasing) {
                kill(-group, SIGKILL)
                timer.source.cancel()
            } else {
                kill(-group, SIGTERM)
                timer.source.schedule(deadline: .now() + min(grace, Self.longest))
            }
        }
        timer.source.schedule(deadline: .now() + min(timeout, Self.longest))
        timer.source.resume()
        self.timer = timer
        self.state = state
    }

    /// Whether the time ran out (the group was sent SIGTERM).
    var expired: Bool { state.expired.load(ordering: .acquiring) }

    /// Disarms the timer: the command finished.
    func cancel() { timer.source.cancel() }

    private final class State: Sendable {
        let expired = Atomic(false)
    }

    /// The Dispatch timer, which is safe to use from any thread though not declared Sendable.
    private final class Timer: @unchecked Sendable {
        let source: any DispatchSourceTimer
        init(_ source: any DispatchSourceTimer) { self.source = source }
    }
}
