import Foundation

/// A real child process whose output goes to a log file; stopped (SIGKILL if need be) when released.
final class ChildProcess: @unchecked Sendable {
    let process = Process()
    let logPath: String

    init(_ executable: String, _ arguments: [String], environment: [String: String] = [:], logPath: String) throws {
        self.logPath = logPath
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = FileHandle(forWritingAtPath: logPath)
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = childEnvironment(environment)
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    deinit { stop(signal: SIGKILL) }

    var pid: Int32 { process.processIdentifier }
    var isRunning: Bool { process.isRunning }

    /// The exit status once it has ended; nil while it runs (Foundation traps on asking a running process, which
    /// would end the whole test run and leave every test's children behind).
    var exitStatus: Int32? { process.isRunning ? nil : process.terminationStatus }

    /// The log so far.
    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Sends `signal` and waits for the process to end.
    func stop(signal: Int32 = SIGTERM) {
        guard process.isRunning else { return }
        kill(process.processIdentifier, signal)
        process.waitUntilExit()
    }
}

/// This process's environment without its `BOSUN_*` settings, plus `extra`: children see only what a test gives.
private func childEnvironment(_ extra: [String: String]) -> [String: String] {
    ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("BOSUN_") }.merging(extra) { $1 }
}

/// The result of running a program to completion.
struct RunResult: Sendable {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs a program to completion and captures its output.
func runProgram(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) async throws
    -> RunResult
{
    try await withCheckedThrowingContinuation { continuation in
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = childEnvironment(environment)
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            continuation.resume(throwing: error)
            return
        }
        DispatchQueue.global().async {
            let stdout = out.fileHandleForReading.readDataToEndOfFile()
            let stderr = err.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            continuation.resume(
                returning: RunResult(
                    status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                    stderr: String(decoding: stderr, as: UTF8.self)))
        }
    }
}

/// Where the package's executables are: beside the test bundle, or `BOSUN_BIN_DIR`.
enum Binaries {
    static let directory: String = {
        if let dir = ProcessInfo.processInfo.environment["BOSUN_TEST_BIN_DIR"] { return dir }
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: exe).deletingLastPathComponent().path
    }()

    static var bosun: String { directory + "/bosun" }
    static var agent: String { directory + "/bosun-agent" }
}
