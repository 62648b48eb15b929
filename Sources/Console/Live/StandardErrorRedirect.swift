#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Sends this process's stderr (log lines, libnats notices) to a file while the console owns the terminal,
/// so nothing is written across the screen; gives stderr back afterwards on every path.
enum StandardErrorRedirect {
    static func with<T>(logFile path: String, _ body: () async throws -> T) async rethrows -> T {
        let file = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        let saved = file >= 0 ? dup(STDERR_FILENO) : -1
        if saved >= 0 { dup2(file, STDERR_FILENO) }
        defer {
            if saved >= 0 {
                dup2(saved, STDERR_FILENO)
                close(saved)
            }
            if file >= 0 { close(file) }
        }
        return try await body()
    }
}
