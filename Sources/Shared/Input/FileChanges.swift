#if canImport(Glibc)
    import Glibc
#endif

/// Wakes a reader when some files of a directory change, written by another process: `state.db-wal` for a reader
/// of an engine's store (every commit writes it), `journal.jsonl` for a follower of its journal. A wait also ends
/// after a fallback interval whatever happened, so a reader still reads where inotify cannot watch, or a file
/// changes in a way it does not see.
public final class FileChanges: Sendable {
    /// Names with an event since the last wait; one element however many came.
    private let changed = Mailbox<Void>()
    private let forwarding: Task<Void, Never>?

    /// Watches `names` in `directory` (nil: every file of it) for writes, closes after writing and renames into it.
    public init(directory: String, names: Set<String>?) {
        let watch = DirectoryWatch(
            directories: [directory], events: UInt32(IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_TO))
        forwarding = watch.map { [changed] watch in
            Task {
                for await files in watch.changes where names.map({ !files.isDisjoint(with: $0) }) ?? true {
                    changed.deliver(())
                }
            }
        }
    }

    deinit { forwarding?.cancel() }

    /// Whether changes are watched; without, every wait lasts its fallback.
    public var isWatching: Bool { forwarding != nil }

    /// Returns once a watched file changed since the last call, at once if one did; or after `fallback`. True if
    /// a change ended the wait.
    @discardableResult
    public func next(orAfter fallback: Duration) async -> Bool {
        let changed = await changed.receive(timeout: fallback) != nil
        // A burst of changes counts once: what came while the caller was reading is one more read.
        while self.changed.poll() != nil {}
        return changed
    }
}
