import Dispatch

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
        let mask = UInt32(IN_CLOSE_WRITE | IN_MOVED_TO)
        guard fd >= 0, inotify_add_watch(fd, intake.dataDirectory, mask) >= 0,
            inotify_add_watch(fd, intake.inboxDirectory, mask) >= 0
        else {
            if fd >= 0 { close(fd) }
            while !Task.isCancelled {
                try await Task.sleep(for: .seconds(1))
                intake.takeInmsg()
                intake.takeInbox()
            }
            return
        }
        // Woken by the kernel when an event is queued: no polling while idle.
        let (events, signal) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: .global())
        source.setEventHandler {
            // Drained here, or the descriptor stays readable and the handler runs again at once.
            var buffer = [UInt8](repeating: 0, count: 16 * 1024)
            while buffer.withUnsafeMutableBytes({ read(fd, $0.baseAddress, $0.count) }) > 0 {}
            signal.yield()
        }
        source.setCancelHandler { close(fd) }
        source.resume()
        // Once more now that the watch is on: a file that arrived before it would have no event.
        signal.yield()
        defer {
            source.cancel()
            signal.finish()
        }
        for await _ in events {
            intake.takeInmsg()
            intake.takeInbox()
        }
    }
}
