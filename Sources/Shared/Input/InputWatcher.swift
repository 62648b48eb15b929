#if canImport(Glibc)
    import Glibc
#endif

/// Watches the data directory with inotify and takes `inmsg.txt` when its writer closes it, and each file that
/// lands in `inbox/` (written there, or moved in). Falls back to polling every second where inotify is missing.
public struct InputWatcher: Sendable {
    let intake: InputIntake

    public init(intake: InputIntake) {
        self.intake = intake
    }

    /// Takes what is already there, then watches until cancelled.
    public func run() async throws {
        try intake.prepare()
        intake.takeInmsg()
        intake.takeInbox()
        let fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        defer { if fd >= 0 { close(fd) } }
        let mask = UInt32(IN_CLOSE_WRITE | IN_MOVED_TO)
        let watching = fd >= 0 && inotify_add_watch(fd, intake.dataDirectory, mask) >= 0
            && inotify_add_watch(fd, intake.inboxDirectory, mask) >= 0
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while !Task.isCancelled {
            if watching {
                // Non-blocking read, polled briefly: keeps the wait cancellable without a thread of its own.
                let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if count <= 0 {
                    try await Task.sleep(for: .milliseconds(50))
                    continue
                }
            } else {
                try await Task.sleep(for: .seconds(1))
            }
            intake.takeInmsg()
            intake.takeInbox()
        }
    }
}
