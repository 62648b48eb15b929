/// Where delivery reads the time and waits: the system's clock, or a test's, so that tests of backoff, expiry and
/// probing never sleep.
public protocol DeliveryClock: Sendable {
    var now: Timestamp { get }
    /// Suspends until `deadline`; throws when the task is cancelled. A deadline, not a duration: a wait computed
    /// from a reading of `now` must not move when the clock does meanwhile.
    func sleep(until deadline: Timestamp) async throws
}

/// The wall clock, and `Task.sleep`.
public struct SystemClock: DeliveryClock {
    public init() {}
    public var now: Timestamp { .now }

    public func sleep(until deadline: Timestamp) async throws {
        let milliseconds = deadline.millisecondsSinceEpoch - Timestamp.now.millisecondsSinceEpoch
        if milliseconds > 0 { try await Task.sleep(for: .milliseconds(milliseconds)) }
    }
}
