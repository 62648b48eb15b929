import Shared
import Subprocess
import SystemPackage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Runs an argv as a child process in its own session (so its whole process group can be ended),
/// captures stdout and stderr up to a limit, and ends the group when the time is up.
struct ProcessRunner: Sendable {
    struct Outcome: Sendable {
        var exitCode: Int32
        var signal: Int32?
        var stdout: [UInt8]
        var stderr: [UInt8]
        var truncated: Bool
        var timedOut: Bool
    }

    var captureLimit = OutputDefaults.captureLimit
    var killGrace = OutputDefaults.killGrace

    /// Output as it appears: whole lines of one stream, in order (`cliCommandCont`).
    typealias LineSink = @Sendable (HandlerContext.OutputStream, String) -> Void

    func run(
        _ argv: [String], timeout: Double, workingDirectory: String? = nil, environment: [String: String] = [:],
        lines: LineSink? = nil
    ) async throws -> Outcome {
        precondition(!argv.isEmpty)
        var platform = PlatformOptions()
        // A new session makes the child a process-group leader: killing -pid reaches `sh -c` pipelines too.
        platform.createSession = true
        let executable: Executable = argv[0].contains("/") ? .path(FilePath(argv[0])) : .name(argv[0])
        let limit = captureLimit
        let grace = killGrace
        let result = try await Subprocess.run(
            executable,
            arguments: Arguments(Array(argv.dropFirst())),
            environment: .inherit.updating(Self.updates(environment)),
            workingDirectory: workingDirectory.map { FilePath($0) },
            platformOptions: platform,
            input: .none,
            output: .sequence,
            error: .sequence
        ) { execution in
            let group = execution.processIdentifier.value
            return try await withThrowingTaskGroup(of: Bool.self) { tasks in
                tasks.addTask {
                    try await Task.sleep(for: .seconds(timeout))
                    kill(-group, SIGTERM)
                    try? await Task.sleep(for: .seconds(grace))
                    kill(-group, SIGKILL)
                    return true
                }
                async let out = Self.collect(execution.standardOutput, limit: limit, lines: Self.lines(of: .stdout, lines))
                async let err = Self.collect(execution.standardError, limit: limit, lines: Self.lines(of: .stderr, lines))
                let (stdout, stderr) = try await (out, err)
                tasks.cancelAll()
                var timedOut = false
                while let next = try? await tasks.next() { timedOut = timedOut || next }
                return (stdout, stderr, timedOut)
            }
        }
        let (stdout, stderr, timedOut) = result.closureResult
        var exitCode: Int32 = -1
        var signal: Int32?
        switch result.terminationStatus {
        case .exited(let code): exitCode = code
        case .signaled(let number): signal = number
        }
        return Outcome(
            exitCode: exitCode, signal: signal, stdout: stdout.bytes, stderr: stderr.bytes,
            truncated: stdout.truncated || stderr.truncated, timedOut: timedOut)
    }

    private static func updates(_ environment: [String: String]) -> [Subprocess.Environment.Key: String?] {
        var updates: [Subprocess.Environment.Key: String?] = [:]
        for (name, value) in environment {
            if let key = Subprocess.Environment.Key(rawValue: name) { updates[key] = value }
        }
        return updates
    }

    private static func lines(
        of stream: HandlerContext.OutputStream, _ sink: LineSink?
    ) -> (@Sendable (String) -> Void)? {
        guard let sink else { return nil }
        return { @Sendable text in sink(stream, text) }
    }

    /// Reads one stream to its end, keeping `limit` bytes; with `lines`, hands on each read's complete lines
    /// (and the last, unterminated one at the end) as they come.
    private static func collect(
        _ sequence: SubprocessOutputSequence, limit: Int, lines: (@Sendable (String) -> Void)?
    ) async throws -> (bytes: [UInt8], truncated: Bool) {
        var bytes: [UInt8] = []
        var truncated = false
        var pending: [UInt8] = []
        for try await buffer in sequence {
            buffer.withUnsafeBytes { raw in
                let room = limit - bytes.count
                if raw.count > room { truncated = true }
                if room > 0 { bytes.append(contentsOf: raw.prefix(room)) }
                guard let lines else { return }
                pending.append(contentsOf: raw)
                if let end = pending.lastIndex(of: UInt8(ascii: "\n")) {
                    lines(String(decoding: pending[...end], as: UTF8.self))
                    pending.removeFirst(end + 1)
                }
            }
        }
        if let lines, !pending.isEmpty { lines(String(decoding: pending, as: UTF8.self)) }
        return (bytes, truncated)
    }
}
