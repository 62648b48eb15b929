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
        guard
            let watch = DirectoryWatch(
                directories: [intake.dataDirectory, intake.inboxDirectory], events: UInt32(IN_CLOSE_WRITE | IN_MOVED_TO))
        else {
            while !Task.isCancelled {
                try await Task.sleep(for: .seconds(1))
                intake.takeInmsg()
                intake.takeInbox()
            }
            return
        }
        defer { watch.cancel() }
        // Once more now that the watch is on: a file that arrived before it would have no event.
        intake.takeInmsg()
        intake.takeInbox()
        for await _ in watch.changes {
            intake.takeInmsg()
            intake.takeInbox()
        }
    }
}
