import Dispatch
import Shared

/// Runs an argv as a child process in its own session (so its whole process group can be ended),
/// captures stdout and stderr up to a limit, and ends the group when the time is up.
///
/// The child is started with one `posix_spawn` (stdin `/dev/null`) and followed by ``ChildWatch``'s thread; the
/// calling task only waits for the outcome, so a command holds no thread of the cooperative pool while it runs.
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
    /// Who follows the children.
    var watch = ChildWatch.shared

    /// Runs `argv`; a bare `argv[0]` is looked up on the child's PATH (``CommandPaths``), so it is spawned once.
    /// A cancelled task ends the child's process group at once; the outcome then tells SIGKILL.
    func run(
        _ argv: [String], timeout: Double, workingDirectory: String? = nil, environment overrides: [String: String] = [:],
        lines: LineSink? = nil
    ) async throws -> Outcome {
        precondition(!argv.isEmpty)
        let environment = environment.updating(overrides)
        let remembered = commands.remembered(argv[0], searchPath: environment.searchPath)
        let executable = try remembered ?? commands.resolve(argv[0], searchPath: environment.searchPath)
        let arguments = CStringArray(argv)
        let watch = watch
        let id = watch.reserve()
        // Lines go through a queue of this command's own, so the sink may block without holding up the watch's
        // thread, and the outcome comes after the last of them.
        let queue = lines.map { _ in DispatchQueue(label: "bosun-output") }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Outcome, any Error>) in
                var request = ChildWatch.Request(
                    timeout: timeout, grace: killGrace, captureLimit: captureLimit,
                    workingDirectory: workingDirectory, lines: nil, finished: { continuation.resume(returning: $0) },
                    failed: { continuation.resume(throwing: $0) })
                if let lines, let queue {
                    request.lines = { stream, text in queue.async { lines(stream, text) } }
                    request.finished = { outcome in queue.async { continuation.resume(returning: outcome) } }
                }
                // A name (no `/`) found before may have a file that is gone now: it is looked up again.
                if remembered != nil, !argv[0].contains("/") {
                    let (commands, name, searchPath) = (commands, argv[0], environment.searchPath)
                    request.lookAgain = { try commands.resolve(name, searchPath: searchPath) }
                }
                watch.start(id, executable: executable, arguments: arguments, environment: environment.pointers, request: request)
            }
        } onCancel: {
            watch.cancel(id)
        }
    }
}
