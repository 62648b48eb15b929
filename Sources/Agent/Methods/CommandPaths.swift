import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Finds a bare command name on PATH once, as a shell's hash table does, so that running it is one `execve`.
///
/// Left to the spawn, a name is tried in each PATH directory in turn, each try a child process of its own: with
/// `bash` at the 14th entry that was 14 spawns per command. Here the directories are searched when a name is
/// first run under a PATH; after that the file found is used directly. A different PATH starts over, and a
/// cached file that is gone (or no longer executable) is looked up again. A name with a `/` is a path: never
/// looked up. Like a shell's hash, a file put later into an earlier directory is not seen while the old one stays.
final class CommandPaths: Sendable {
    /// The cache used by every run in this process.
    static let shared = CommandPaths()

    /// Names remembered per PATH; past this the cache starts over (a guard against unbounded growth only).
    static let capacity = 512

    private struct Cache {
        var searchPath: String?
        var found: [String: String] = [:]
    }

    private let cache = Mutex(Cache())

    /// The file found for `command` under `searchPath` before, unchecked (no file system call): a spawn that
    /// fails with it asks ``resolve(_:searchPath:)`` again, which checks it and searches anew when it is gone.
    func remembered(_ command: String, searchPath: String?) -> String? {
        if command.contains("/") { return command }
        let searched = searchPath ?? Self.defaultSearchPath
        return cache.withLock { cache in cache.searchPath == searched ? cache.found[command] : nil }
    }

    /// The file `command` runs under `searchPath` (nil: the system's default, as `execvp` uses).
    func resolve(_ command: String, searchPath: String?) throws(CommandNotFound) -> String {
        if command.contains("/") { return command }
        let searched = searchPath ?? Self.defaultSearchPath
        let known = cache.withLock { cache in cache.searchPath == searched ? cache.found[command] : nil }
        if let known, Self.isExecutableFile(known) { return known }
        guard !command.isEmpty, command != ".", command != "..",
            let file = searched.split(separator: ":").lazy.filter({ $0.hasPrefix("/") })
                .map({ $0 + "/" + command }).first(where: Self.isExecutableFile)
        else {
            throw CommandNotFound(command: command, searchPath: searched)
        }
        cache.withLock { cache in
            if cache.searchPath != searched || cache.found.count >= Self.capacity {
                cache = Cache(searchPath: searched)
            }
            cache.found[command] = file
        }
        return file
    }

    /// A regular file this process may execute (`access` alone would take a searchable directory).
    static func isExecutableFile(_ path: String) -> Bool {
        var status = stat()
        return access(path, X_OK) == 0 && stat(path, &status) == 0 && status.st_mode & numericCast(S_IFMT) == numericCast(S_IFREG)
    }

    /// The search path `execvp` uses when PATH is unset (`confstr(_CS_PATH)`).
    static let defaultSearchPath: String = {
        let size = confstr(Int32(_CS_PATH), nil, 0)
        guard size > 1 else { return "/usr/bin:/bin" }
        var buffer = [CChar](repeating: 0, count: size)
        _ = buffer.withUnsafeMutableBufferPointer { confstr(Int32(_CS_PATH), $0.baseAddress, size) }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }()
}

/// A bare command name found in no directory of the PATH it was looked up in.
struct CommandNotFound: Error, Sendable, Equatable, CustomStringConvertible {
    var command: String
    var searchPath: String

    var description: String { "command `\(command)` not found in any directory of PATH (\(searchPath))" }
}
