import Foundation
import Shared

/// Starting and stopping the local helper processes of `bosun demo`.
enum LocalProcesses {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// The nats-server executable: on PATH, or where Debian puts it.
    static func natsServer() throws -> String {
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
        for directory in path + ["/usr/sbin", "/usr/local/sbin"] {
            let candidate = directory + "/nats-server"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw Failure(description: "nats-server not found: install it (apt-get install nats-server)")
    }

    /// A program installed beside this one (`bosun-agent` beside `bosun`).
    static func sibling(_ name: String) throws -> String {
        let me = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let candidate = URL(fileURLWithPath: me).deletingLastPathComponent().appendingPathComponent(name).path
        guard FileManager.default.isExecutableFile(atPath: candidate) else {
            throw Failure(description: "\(name) not found beside \(me)")
        }
        return candidate
    }

    static func start(_ executable: String, _ arguments: [String], log: String) throws -> Process {
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let handle = FileHandle(forWritingAtPath: log)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return process
    }

    static func stop(_ process: Process) {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }

    /// Runs a program with this terminal's stdout and stderr; returns its exit status.
    static func runToEnd(_ executable: String, _ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }

    static func waitFor(timeout: Double, _ what: String, _ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(timeout)
        while !condition() {
            guard ContinuousClock.now < deadline else { throw Failure(description: "timed out waiting for \(what)") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    static func freePort() throws -> Int {
        guard let port = Loopback.freePort() else { throw Failure(description: "cannot find a free port on 127.0.0.1") }
        return port
    }
}
