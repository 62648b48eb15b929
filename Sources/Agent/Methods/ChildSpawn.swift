import CSpawn

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Starting one child: two pipes for its output, then a vfork child (``bosun_spawn``) that sets itself up and execs.
enum ChildSpawn {
    /// How often a program found busy (ETXTBSY) is tried, waiting 0.1, 0.2, 0.4 … ms in between.
    static let busyAttempts = 5

    /// Starts `executable` with `arguments` and `environment` as `request` says, its output into two new pipes.
    static func start(
        _ executable: String, _ arguments: CStringArray, _ environment: CStringArray, request: ChildWatch.Request
    ) throws(SpawnFailure) -> WatchedChild {
        var stdout: (read: Int32, write: Int32) = (-1, -1)
        var stderr: (read: Int32, write: Int32) = (-1, -1)
        guard bosun_pipe(&stdout.read, &stdout.write) == 0 else { throw SpawnFailure(what: "cannot make a pipe", code: errno) }
        guard bosun_pipe(&stderr.read, &stderr.write) == 0 else {
            let code = errno
            close(stdout.read)
            close(stdout.write)
            throw SpawnFailure(what: "cannot make a pipe", code: code)
        }
        let directory = request.workingDirectory
        var pid: pid_t = 0
        var spawned: Int32 = 0
        for attempt in 0..<busyAttempts {
            spawned = directory.withOptionalCString { directory in
                bosun_spawn(&pid, executable, arguments.pointers, environment.pointers, stdout.write,
                            stderr.write, directory)
            }
            // "Text file busy": a program just written is still open for writing in another process for a moment
            // (a child spawned meanwhile anywhere in the agent holds a copy of the writer's descriptor until it has
            // closed its descriptors). Tried again a little later, a few times.
            guard spawned == ETXTBSY, attempt + 1 < busyAttempts else { break }
            usleep(UInt32(100 << attempt))
        }
        close(stdout.write)
        close(stderr.write)
        guard spawned == 0 else {
            close(stdout.read)
            close(stderr.read)
            throw SpawnFailure(what: "cannot run \(executable)\(directory.map { " in \($0)" } ?? "")", code: spawned)
        }
        return WatchedChild(pid: pid, stdout: stdout.read, stderr: stderr.read, started: ChildWatch.now(), request: request)
    }
}

/// A command that could not be started: what failed and the system's reason.
struct SpawnFailure: Error, Sendable, CustomStringConvertible {
    var what: String
    var code: Int32

    var description: String { "\(what): \(String(cString: strerror(code)))" }

    /// Whether the program's file is gone, or no longer one that can run.
    var isMissingProgram: Bool { [ENOENT, EACCES, ENOEXEC, ENOTDIR].contains(code) }
}

extension Optional where Wrapped == String {
    /// Calls `body` with this string as a C string, or with NULL.
    fileprivate func withOptionalCString<Result>(_ body: (UnsafePointer<CChar>?) -> Result) -> Result {
        guard let self else { return body(nil) }
        return self.withCString(body)
    }
}
