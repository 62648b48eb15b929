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

    /// Where bare command names are looked up (one search per name and PATH).
    var commands = CommandPaths.shared
    /// The environment children get, before a message's own values.
    var environment = ChildEnvironment.inherited

    /// Runs `argv`; a bare `argv[0]` is looked up on the child's PATH (``CommandPaths``), so it is spawned once.
    func run(
        _ argv: [String], timeout: Double, workingDirectory: String? = nil, environment overrides: [String: String] = [:],
        lines: LineSink? = nil
    ) async throws -> Outcome {
        precondition(!argv.isEmpty)
        var platform = PlatformOptions()
        // A new session makes the child a process-group leader: killing -pid reaches `sh -c` pipelines too.
        platform.createSession = true
        let environment = environment.updating(overrides)
        let executable = try commands.resolve(argv[0], searchPath: environment.searchPath)
        let limit = captureLimit
        let grace = killGrace
        let result = try await Subprocess.run(
            .path(FilePath(executable)),
            arguments: Arguments(executablePathOverride: argv[0], remainingValues: Array(argv.dropFirst())),
            environment: environment.environment,
            workingDirectory: workingDirectory.map { FilePath($0) },
            platformOptions: platform,
            input: .none,
            output: .sequence,
            error: .sequence
        ) { execution in
            // The deadline is a timer, and stdout is read here: one task beside the child (stderr's), not three.
            let deadline = GroupDeadline(group: execution.processIdentifier.value, after: timeout, grace: grace)
            defer { deadline.cancel() }
            async let err = Self.collect(execution.standardError, limit: limit, lines: Self.lines(of: .stderr, lines))
            let out = try await Self.collect(execution.standardOutput, limit: limit, lines: Self.lines(of: .stdout, lines))
            return (out, try await err, deadline.expired)
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
