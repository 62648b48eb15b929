import Foundation

/// A program left running while the test does other things, its stdout and stderr in files of their own so the
/// test can read them as they grow; killed when released.
final class BackgroundProgram: @unchecked Sendable {
    let process = Process()
    private let stdoutPath: String
    private let stderrPath: String

    init(_ executable: String, _ arguments: [String], environment: [String: String], directory: String) throws {
        let name = UUID().uuidString.prefix(8)
        stdoutPath = directory + "/\(name).stdout"
        stderrPath = directory + "/\(name).stderr"
        for path in [stdoutPath, stderrPath] { _ = FileManager.default.createFile(atPath: path, contents: nil) }
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("BOSUN_") }
            .merging(environment) { $1 }
        process.standardOutput = FileHandle(forWritingAtPath: stdoutPath)
        process.standardError = FileHandle(forWritingAtPath: stderrPath)
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    var stdout: String { (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    func signal(_ number: Int32) { kill(process.processIdentifier, number) }

    /// Waits for the program to end, up to `timeout`; returns its exit status, or nil if it still runs.
    func exitStatus(within timeout: Duration) async -> Int32? {
        guard await eventually(timeout: timeout, interval: .milliseconds(50), { !process.isRunning }) else {
            return nil
        }
        process.waitUntilExit()
        return process.terminationStatus
    }
}
