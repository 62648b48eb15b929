#if canImport(Glibc)
    import Glibc
#endif

/// An exclusive lock on a data directory (`<data-dir>/bosun.lock`): one engine per directory, so that two
/// processes never carry the same outbox.
public final class DataDirectoryLock: Sendable {
    private let fd: Int32

    /// Takes the lock, or returns nil when another process holds it.
    public init?(dataDirectory: String) throws(FileSystem.Failure) {
        try FileSystem.makeDirectory(dataDirectory)
        let path = dataDirectory + "/bosun.lock"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileSystem.Failure(path: path, operation: "opening", errno: errno) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            return nil
        }
        ftruncate(fd, 0)
        let pid = Array("\(getpid())\n".utf8)
        try? FileSystem.writeAll(fd, pid, path: path)
        self.fd = fd
    }

    deinit { close(fd) }
}
