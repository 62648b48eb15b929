#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Decides whether a path a message names lies inside a directory the agent allows, after following symlinks.
///
/// A path must be absolute and free of `..`; its real location (symlinks resolved: of the file when it exists,
/// else of its parent directory) must be an allowed directory or inside one. Allowed directories are resolved
/// the same way at each check, so one that is itself a symlink works, and one created later counts.
struct FileAccess: Sendable {
    let allowed: AllowedDirectories

    /// The real path to act on, or why `path` is refused.
    func resolve(_ path: String, argument: String, node: String) throws(ArgumentError) -> String {
        guard path.hasPrefix("/") else {
            throw ArgumentError(argument, "must be an absolute path, got \"\(path)\"")
        }
        if path.split(separator: "/").contains(where: { $0 == ".." }) {
            throw ArgumentError(argument, "path traversal (`..`) is refused: \"\(path)\"")
        }
        let configured = allowed.current
        let roots = configured.compactMap(Self.realPath)
        guard !roots.isEmpty else {
            if configured.isEmpty {
                throw ArgumentError(argument, "no directory is allowed on node \(node) (see --allow-dir and allowDirs)")
            }
            throw ArgumentError(
                argument, "none of the allowed directories exists on node \(node): \(configured.joined(separator: ", "))")
        }
        let real: String
        if let existing = Self.realPath(path) {
            real = existing
        } else {
            let slash = path.lastIndex(of: "/")!
            let parent = slash == path.startIndex ? "/" : String(path[..<slash])
            guard let realParent = Self.realPath(parent) else {
                throw ArgumentError(argument, "directory \(parent) does not exist")
            }
            real = (realParent == "/" ? "" : realParent) + path[slash...]
        }
        guard roots.contains(where: { Self.contains($0, real) }) else {
            let shown = real == path ? "" : " (really \(real))"
            throw ArgumentError(
                argument, "\"\(path)\"\(shown) is outside the allowed directories \(allowed.current.joined(separator: ", "))")
        }
        return real
    }

    static func contains(_ directory: String, _ path: String) -> Bool {
        directory == "/" || path == directory || path.hasPrefix(directory + "/")
    }

    /// The path with every symlink, `.` and `..` resolved; nil when it does not exist.
    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
