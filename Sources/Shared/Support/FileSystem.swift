#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// What Bosun needs of the file system, on POSIX calls (Shared has no Foundation).
public enum FileSystem {
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var path: String
        public var operation: String
        public var errno: Int32
        public var description: String { "\(operation) \(path): \(String(cString: strerror(errno)))" }
    }

    /// Creates `path` and its missing parents.
    public static func makeDirectory(_ path: String, mode: mode_t = 0o755) throws(Failure) {
        var current = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            current += "/" + component
            if mkdir(current, mode) != 0, errno != EEXIST {
                throw Failure(path: current, operation: "creating directory", errno: errno)
            }
        }
    }

    public static func exists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }

    public static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    public static func size(_ path: String) -> Int? {
        var info = stat()
        return stat(path, &info) == 0 ? Int(info.st_size) : nil
    }

    /// The whole file.
    public static func read(_ path: String) throws(Failure) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Failure(path: path, operation: "opening", errno: errno) }
        defer { close(fd) }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw Failure(path: path, operation: "reading", errno: errno)
            }
            if count == 0 { return result }
            result.append(contentsOf: chunk[0..<count])
        }
    }

    /// Writes the file whole: to a temporary file beside it, fsynced, then renamed over it.
    public static func write(_ bytes: [UInt8], to path: String, mode: mode_t = 0o644) throws(Failure) {
        // Dot-prefixed, so folder watchers (inbox/) never take the half-written file.
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { String(path[...$0]) } ?? ""
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        let temporary = "\(directory).\(name).tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { throw Failure(path: temporary, operation: "creating", errno: errno) }
        do throws(Failure) {
            try writeAll(fd, bytes, path: temporary)
            fsync(fd)
            close(fd)
        } catch {
            close(fd)
            unlink(temporary)
            throw error
        }
        try rename(temporary, to: path)
    }

    /// Appends to the file, creating it if needed. With `followSymlinks: false` a symlink at `path` is refused
    /// (ELOOP), so a checked path cannot be swapped for a link elsewhere. Never waits for a reader: a named pipe
    /// nobody reads fails at once (ENXIO), and a full one (EAGAIN), instead of holding the thread (and the run, and
    /// every message of its stream queued behind it) for as long as nobody reads.
    public static func append(
        _ bytes: [UInt8], to path: String, mode: mode_t = 0o644, followSymlinks: Bool = true
    ) throws(Failure) {
        let flags = O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NONBLOCK | (followSymlinks ? 0 : O_NOFOLLOW)
        let fd = open(path, flags, mode)
        guard fd >= 0 else { throw Failure(path: path, operation: "opening", errno: errno) }
        defer { close(fd) }
        try writeAll(fd, bytes, path: path)
    }

    /// ``append(_:to:mode:followSymlinks:)`` to a file in `directory`, creating the directory (and its parents) only
    /// when the first try finds it missing: one open per append, not one `mkdir` per component as well.
    public static func append(_ bytes: [UInt8], to path: String, creating directory: String) throws(Failure) {
        do {
            try append(bytes, to: path)
        } catch where error.errno == ENOENT {
            try makeDirectory(directory)
            try append(bytes, to: path)
        }
    }

    /// When the file last changed (nanoseconds since the epoch), or nil when it does not exist.
    public static func modificationTime(_ path: String) -> Int64? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
    }

    public static func rename(_ from: String, to: String) throws(Failure) {
        guard Glibc.rename(from, to) == 0 else { throw Failure(path: from, operation: "moving to \(to)", errno: errno) }
    }

    public static func remove(_ path: String) {
        unlink(path)
    }

    /// Removes `path`, which may be missing already; fails for any other reason it cannot be removed.
    public static func removeIfPresent(_ path: String) throws(Failure) {
        guard unlink(path) == 0 || errno == ENOENT else { throw Failure(path: path, operation: "removing", errno: errno) }
    }

    /// The names in a directory, sorted, without `.` and `..`.
    public static func list(_ path: String) throws(Failure) -> [String] {
        guard let directory = opendir(path) else { throw Failure(path: path, operation: "listing", errno: errno) }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != ".", name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(Failure) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                throw Failure(path: path, operation: "writing", errno: errno)
            }
            offset += written
        }
    }
}
