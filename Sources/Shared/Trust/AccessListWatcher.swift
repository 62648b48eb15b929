#if canImport(Glibc)
    import Glibc
#endif

/// Tells when the ACL file is written, replaced or removed: inotify on its directory (and on its target's, when
/// the path is a symbolic link), so an idle node is never woken to look at the file.
///
/// Where inotify cannot watch (the directory does not exist, or the system's inotify limits are reached), the
/// file's modification time is compared every `fallbackInterval` instead.
public struct AccessListWatcher: Sendable {
    public let path: String
    public var fallbackInterval: Duration = .seconds(5)
    /// How long a file that went away may take to come back before it counts as removed: an editor that
    /// renames the old file aside and then writes the new one must not leave the node without its ACL between.
    public var settle: Duration = .milliseconds(250)

    public init(path: String) {
        self.path = path
    }

    /// Watches until cancelled, calling `changed` after each change. `lastRead` is the modification time of the
    /// file as last read (nil: there was none); a change made before the watch was on is reported at once.
    public func run(lastRead: @Sendable () -> Int64?, changed: @Sendable () -> Void) async throws {
        let files = Set([path, Self.target(of: path)].compactMap { $0 })
        let names = Set(files.map(Self.name))
        let events = UInt32(IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE)
        guard let watch = DirectoryWatch(directories: Array(Set(files.map(Self.directory))), events: events) else {
            while !Task.isCancelled {
                if FileSystem.modificationTime(path) != lastRead() { changed() }
                try await Task.sleep(for: fallbackInterval)
            }
            return
        }
        defer { watch.cancel() }
        if FileSystem.modificationTime(path) != lastRead() { changed() }
        for await changes in watch.changes where !changes.isDisjoint(with: names) {
            if !FileSystem.exists(path) {
                try await Task.sleep(for: settle)
                // Back already: the event of its writing is queued, and reports it.
                if FileSystem.exists(path) { continue }
            }
            changed()
        }
    }

    /// The file a symbolic link leads to (nil when the path does not exist yet).
    static func target(of path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    static func directory(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    static func name(_ path: String) -> String {
        path.lastIndex(of: "/").map { String(path[path.index(after: $0)...]) } ?? path
    }
}
