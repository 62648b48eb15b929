import Foundation
import Shared

/// Runs `body` with a new empty directory that is removed afterwards, on every path.
func withTemporaryDirectory<T>(_ body: (String) async throws -> T) async throws -> T {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("bosun-test-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try await body(path)
}

/// Polls `condition` every `interval` until it holds or `timeout` passes; returns whether it held.
/// The way nats-server's own tests wait: a condition and a deadline, never a fixed sleep.
@discardableResult
func eventually(
    timeout: Duration = .seconds(10), interval: Duration = .milliseconds(20), _ condition: () async throws -> Bool
) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: interval)
    }
    return try await condition()
}

/// A TCP port nobody is listening on right now.
func freePort() -> Int { Loopback.freePort() ?? 4222 }

func isListening(port: Int) -> Bool { Loopback.isListening(port: port) }
