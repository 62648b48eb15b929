import Synchronization

/// Refusals counted, not reported one by one: a flood of hostile payloads must not become a flood of error lines.
///
/// The first refusal of a sender, subject and kind is reported at once; the others within the interval are
/// counted, and reported as one line with their count when the interval ends. At most ``maxKinds`` are tracked at
/// once: past that, refusals are counted together under one line for "many senders", so made-up keys cost no
/// memory either.
public final class RefusalLog: Sendable {
    struct Key: Hashable {
        var sender: String
        var subject: String
        var kind: TrustPolicy.Refusal.Kind
    }

    private struct Window {
        var endsAt: Timestamp
        var more = 0
        var reason: String
    }

    private let interval: Double
    private let clock: any DeliveryClock
    private let report: @Sendable (String) -> Void
    private let windows = Mutex<[Key: Window]>([:])
    /// Told when a window opens, so the flush loop sleeps only while there is something to flush.
    private let opened = Mailbox<Void>()
    static let maxKinds = 1024

    /// `report` gets each line to write to the error log.
    public init(interval: Double, clock: any DeliveryClock = SystemClock(), report: @escaping @Sendable (String) -> Void) {
        self.interval = interval
        self.clock = clock
        self.report = report
    }

    /// Counts a refusal; reports it at once if it is the first of its kind in the interval.
    public func refused(sender: String, subject: String, _ refusal: TrustPolicy.Refusal) {
        let now = clock.now
        let lines: [String] = windows.withLock { windows in
            var key = Key(sender: sender, subject: subject, kind: refusal.kind)
            if windows[key] == nil, windows.count >= Self.maxKinds {
                key = Key(sender: "many senders", subject: "many subjects", kind: refusal.kind)
            }
            if var window = windows[key], now < window.endsAt {
                window.more += 1
                windows[key] = window
                return []
            }
            let ended = windows[key].flatMap { Self.summary(key, $0) }
            windows[key] = Window(endsAt: now.adding(seconds: interval), reason: refusal.reason)
            return (ended.map { [$0] } ?? []) + ["refused a message from \(sender) on \(subject): \(refusal.reason)"]
        }
        guard !lines.isEmpty else { return }
        opened.deliver(())
        lines.forEach(report)
    }

    /// Reports the counts of the windows that ended; with `all`, of every window (at a stop).
    public func flush(all: Bool = false) {
        let now = clock.now
        let lines: [String] = windows.withLock { windows in
            var lines: [String] = []
            for (key, window) in windows where all || now >= window.endsAt {
                if let line = Self.summary(key, window) { lines.append(line) }
                windows[key] = nil
            }
            return lines
        }
        for line in lines { report(line) }
    }

    /// Flushes each window as it ends, until cancelled; sleeps while none is open.
    public func run() async {
        while !Task.isCancelled, await opened.receive() != nil, !Task.isCancelled {
            while let next = windows.withLock({ $0.values.map(\.endsAt).min() }) {
                do { try await clock.sleep(until: next) } catch { break }
                flush()
            }
            while opened.poll() != nil {}
        }
        flush(all: true)
    }

    public func stop() { opened.close() }

    private static func summary(_ key: Key, _ window: Window) -> String? {
        guard window.more > 0 else { return nil }
        return "refused \(window.more) more message\(window.more == 1 ? "" : "s") from \(key.sender) on \(key.subject) "
            + "(\(key.kind.rawValue)) in the last interval: \(window.reason)"
    }
}
