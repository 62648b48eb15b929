#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// When a child's process group is to be ended: SIGTERM once its time is up, SIGKILL after a grace period.
///
/// Only the schedule, with no clock of its own: ``ChildWatch`` asks it at each wake (`now` in its clock's
/// nanoseconds) which signal is due and when to ask again, so one thread keeps every running command's
/// deadline and a command that finishes in time costs no timer at all.
struct GroupDeadline: Sendable, Equatable {
    /// The longest wait honoured; a longer timeout is as good as none.
    static let longest = 100 * 365 * 86_400.0

    enum Phase: Sendable, Equatable {
        case running, terminated, killed
    }

    private(set) var phase = Phase.running
    /// When the next signal is due (nil: none is, SIGKILL was sent).
    private(set) var due: UInt64?
    /// When SIGKILL went out.
    private(set) var killedAt: UInt64?
    let grace: UInt64

    init(start: UInt64, timeout: Double, grace: Double) {
        due = start &+ Self.nanoseconds(timeout)
        self.grace = Self.nanoseconds(grace)
    }

    /// Whether the time ran out (the group was sent SIGTERM).
    var expired: Bool { phase != .running }

    /// The signal due at `now`, if any, moving on to the next phase.
    mutating func signal(at now: UInt64) -> Int32? {
        guard let due, now >= due else { return nil }
        switch phase {
        case .running:
            phase = .terminated
            self.due = now &+ grace
            return SIGTERM
        case .terminated, .killed:
            phase = .killed
            self.due = nil
            killedAt = now
            return SIGKILL
        }
    }

    /// Whether a command whose process has ended but whose output is still held open (by a process that left its
    /// group) has been waited for long enough: a grace period after SIGKILL.
    func abandons(at now: UInt64) -> Bool {
        guard let killedAt else { return false }
        return now >= killedAt &+ grace
    }

    private static func nanoseconds(_ seconds: Double) -> UInt64 {
        UInt64(max(0, min(seconds, longest)) * 1e9)
    }
}
