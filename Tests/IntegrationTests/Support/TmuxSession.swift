import Foundation

/// A real terminal for the console: a detached tmux session on its own server socket (`-L`), so tests never
/// touch the user's tmux and each can be killed whole.
final class TmuxSession: Sendable {
    let socket = "bosun-test-\(UUID().uuidString.prefix(8))"

    static let executable: String = {
        for candidate in ["/usr/bin/tmux", "/usr/local/bin/tmux", "/bin/tmux"]
        where FileManager.default.isExecutableFile(atPath: candidate) {
            return candidate
        }
        return "tmux"
    }()

    /// Starts `command` in a `cols`×`rows` window, with a UTF-8 locale whatever the test's own is.
    func start(cols: Int, rows: Int, _ command: [String]) throws {
        // The tmux server this starts keeps the client's stdout and stderr: pipes read to their end would never end.
        let status = detached(
            ["new-session", "-d", "-x", String(cols), "-y", String(rows), "-e", "LANG=C.UTF-8", "--"] + command)
        guard status == 0 else { throw TestFailure("tmux new-session failed with status \(status)") }
    }

    /// Presses keys by tmux name (`Enter`, `C-u`, `Escape`, `q`).
    func press(_ keys: String...) async throws {
        _ = try await tmux(["send-keys"] + keys)
    }

    /// Types text literally.
    func type(_ text: String) async throws {
        _ = try await tmux(["send-keys", "-l", text])
    }

    /// The screen as text, one line per row; `escapes` keeps colours and attributes as ANSI sequences.
    func screen(escapes: Bool = false) async throws -> String {
        try await tmux(["capture-pane", "-p"] + (escapes ? ["-e"] : [])).stdout
    }

    func resize(cols: Int, rows: Int) async throws {
        _ = try await tmux(["resize-window", "-x", String(cols), "-y", String(rows)])
    }

    /// Whether the session still runs (its command has not exited).
    func isRunning() async throws -> Bool {
        try await tmux(["has-session"]).status == 0
    }

    /// Ends the session's program (SIGHUP) and the tmux server; synchronous, for `defer`.
    func kill() {
        _ = detached(["kill-session"])
        _ = detached(["kill-server"])
        // tmux leaves its socket file behind.
        let directory = ProcessInfo.processInfo.environment["TMUX_TMPDIR"] ?? "/tmp"
        try? FileManager.default.removeItem(atPath: "\(directory)/tmux-\(getuid())/\(socket)")
    }

    /// Runs tmux with no input or output and only this process's standard descriptors, and waits for it;
    /// returns its exit status.
    ///
    /// Not through `Process`: the tmux server a command starts outlives it and would hold every descriptor it
    /// inherits, the socket `Process` watches for the exit included, so the wait would never end.
    private func detached(_ arguments: [String]) -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for fd in Int32(0)...2 { posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0) }
        let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        for fd in open.compactMap(Int32.init) where fd > 2 { posix_spawn_file_actions_addclose(&actions, fd) }
        // Colours as an operator sees them, whatever the test runner asks of its own output.
        let environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("BOSUN_") && $0.key != "NO_COLOR" }
            .merging(["LANG": "C.UTF-8"]) { $1 }.map { "\($0.key)=\($0.value)" }
        let argv = [Self.executable, "-L", socket] + arguments
        var pid: pid_t = 0
        let status = withCStrings(argv) { argvPointers in
            withCStrings(environment) { environmentPointers in
                posix_spawn(&pid, Self.executable, &actions, nil, argvPointers, environmentPointers)
            }
        }
        guard status == 0 else { return -1 }
        var exit: Int32 = 0
        while waitpid(pid, &exit, 0) < 0, errno == EINTR {}
        return (exit >> 8) & 0xff
    }

    private func tmux(_ arguments: [String]) async throws -> RunResult {
        try await runProgram(Self.executable, ["-L", socket] + arguments, environment: ["LANG": "C.UTF-8"])
    }
}

/// Runs `body` with a tmux session that is killed afterwards, on every path.
func withTmux<T>(_ body: (TmuxSession) async throws -> T) async throws -> T {
    let session = TmuxSession()
    defer { session.kill() }
    return try await body(session)
}

/// Calls `body` with `strings` as a NULL-terminated C array, valid during the call.
private func withCStrings<T>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> T) -> T {
    let pointers = strings.map { strdup($0) } + [nil]
    defer { pointers.forEach { free($0) } }
    return body(pointers)
}
