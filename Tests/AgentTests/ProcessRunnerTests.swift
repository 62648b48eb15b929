import Foundation
import Synchronization
import Testing

@testable import Agent

/// ``ProcessRunner`` on real child processes (`sh`, `cat`, `sleep`): what a command's answer is made of.
@Suite struct ProcessRunnerTests {
    private let runner = ProcessRunner()

    private func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    /// A text no other process has in its command line, to find this test's processes in /proc.
    private func marker() -> String { "100.\(Int.random(in: 100_000...999_999))" }

    /// Pid and command line of the processes whose command line contains `text`.
    private func matching(_ text: String) -> [(pid: Int32, line: String)] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry in
            guard let pid = Int32(entry), let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"),
                !data.isEmpty
            else { return nil }
            let line = String(decoding: data.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
            return line.contains(text) ? (pid, line) : nil
        }
    }

    private func processes(containing text: String) -> [String] { matching(text).map(\.line) }

    /// Waits up to 10 s until no process has `text` in its command line; returns those still there.
    private func gone(_ text: String) async -> [String] {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            if processes(containing: text).isEmpty { return [] }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return processes(containing: text)
    }

    @Test func exitCodeAndBothOutputsAreCapturedApart() async throws {
        let outcome = try await runner.run(["sh", "-c", "echo out; echo err >&2; exit 3"], timeout: 30)
        #expect(outcome.exitCode == 3)
        #expect(outcome.signal == nil)
        #expect(text(outcome.stdout) == "out\n")
        #expect(text(outcome.stderr) == "err\n")
        #expect(!outcome.truncated && !outcome.timedOut)
    }

    @Test func aCommandThatClosesItsOutputBeforeItEndsIsWaitedFor() async throws {
        let outcome = try await runner.run(["sh", "-c", "echo early; exec >&- 2>&-; sleep 0.3; exit 4"], timeout: 30)
        #expect(outcome.exitCode == 4)
        #expect(text(outcome.stdout) == "early\n")
        #expect(!outcome.timedOut)
    }

    @Test func aCommandEndedByASignalSaysWhich() async throws {
        let outcome = try await runner.run(["sh", "-c", "kill -USR1 $$"], timeout: 30)
        #expect(outcome.signal == SIGUSR1)
        #expect(!outcome.timedOut)
    }

    @Test func standardInputIsEmpty() async throws {
        let outcome = try await runner.run(["cat"], timeout: 30)
        #expect(outcome.exitCode == 0)
        #expect(outcome.stdout.isEmpty)
    }

    @Test func outputPastTheLimitIsCutAndSaysSo() async throws {
        var small = runner
        small.captureLimit = 10
        let outcome = try await small.run(["sh", "-c", "printf 0123456789abcdef; printf short >&2"], timeout: 30)
        #expect(text(outcome.stdout) == "0123456789")
        #expect(text(outcome.stderr) == "short")
        #expect(outcome.truncated)
    }

    @Test func largeOutputArrivesWhole() async throws {
        let outcome = try await runner.run(["sh", "-c", "head -c 3000000 /dev/zero"], timeout: 30)
        #expect(outcome.stdout.count == 3_000_000)
        #expect(outcome.exitCode == 0)
    }

    @Test func theCommandRunsInItsDirectoryWithItsEnvironment() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bosun-runner-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let outcome = try await runner.run(
            ["sh", "-c", "pwd; echo \"$GREETING\"; echo \"$HOME\""], timeout: 30, workingDirectory: directory,
            environment: ["GREETING": "hi there"])
        let home = ProcessInfo.processInfo.environment["HOME"] ?? ""
        #expect(text(outcome.stdout) == "\(URL(fileURLWithPath: directory).resolvingSymlinksInPath().path)\nhi there\n\(home)\n")
    }

    @Test func aMissingWorkingDirectoryIsAnErrorNamingTheReason() async throws {
        await #expect {
            try await runner.run(["/bin/sh", "-c", "true"], timeout: 30, workingDirectory: "/nonexistent-bosun-directory")
        } throws: { error in
            "\(error)" == "cannot run /bin/sh in /nonexistent-bosun-directory: No such file or directory"
        }
    }

    @Test func aFileThatIsNotExecutableIsAnErrorNamingTheReason() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("bosun-plain-\(UUID().uuidString)").path
        try "echo no\n".write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        await #expect {
            try await runner.run([file], timeout: 30)
        } throws: { error in
            "\(error)" == "cannot run \(file): Permission denied"
        }
    }

    @Test func aProgramStillOpenForWritingIsRefusedNamingTheReason() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("bosun-busy-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        let writer = open(file, O_WRONLY | O_CREAT | O_CLOEXEC, 0o755)
        try #require(writer >= 0)
        defer { close(writer) }
        _ = "#!/bin/sh\necho no\n".withCString { write(writer, $0, strlen($0)) }
        await #expect {
            try await runner.run([file], timeout: 30)
        } throws: { error in
            "\(error)" == "cannot run \(file): Text file busy"
        }
    }

    @Test func timeIsUpForTheWholeProcessGroup() async throws {
        let sleep = "sleep \(marker())"
        let outcome = try await runner.run(["sh", "-c", "\(sleep) | cat"], timeout: 0.3)
        #expect(outcome.timedOut)
        #expect(await gone(sleep) == [])
    }

    @Test func aGroupThatIgnoresSIGTERMGetsSIGKILLAfterTheGrace() async throws {
        var quick = runner
        quick.killGrace = 0.3
        let sleep = "sleep \(marker())"
        // An ignored signal stays ignored across exec: the sleep ignores SIGTERM too.
        let outcome = try await quick.run(["sh", "-c", "trap '' TERM; \(sleep); echo survived"], timeout: 0.3)
        #expect(outcome.timedOut)
        #expect(outcome.signal == SIGKILL)
        #expect(text(outcome.stdout) == "")
        #expect(await gone(sleep) == [])
    }

    @Test func outputHeldOpenByAProcessThatLeftTheGroupDoesNotHoldTheAnswer() async throws {
        var quick = runner
        quick.killGrace = 0.3
        let escaped = "sleep \(marker())"
        defer { killProcesses(containing: escaped) }
        let outcome = try await quick.run(["sh", "-c", "setsid \(escaped) & echo started; exec sleep 30"], timeout: 0.3)
        #expect(outcome.timedOut)
        #expect(outcome.signal == SIGTERM)
        #expect(text(outcome.stdout) == "started\n")
    }

    /// Sends SIGKILL to every process whose command line contains `text` (a process a test left on purpose).
    private func killProcesses(containing text: String) {
        for process in matching(text) { kill(process.pid, SIGKILL) }
    }

    @Test func linesArriveInOrderPerStreamBeforeTheOutcome() async throws {
        let seen = Mutex<[(stream: String, text: String)]>([])
        let outcome = try await runner.run(
            ["sh", "-c", "echo one; echo two >&2; sleep 0.1; echo three; printf four"], timeout: 30,
            lines: { stream, text in seen.withLock { $0.append((stream.rawValue, text)) } })
        let pieces = seen.withLock { $0 }
        let stdout = pieces.filter { $0.stream == "stdout" }.map(\.text)
        // Whole lines (a read may hold several), the unterminated end last.
        #expect(stdout.joined() == "one\nthree\nfour")
        #expect(stdout.dropLast().allSatisfy { $0.hasSuffix("\n") })
        #expect(stdout.last == "four")
        #expect(pieces.filter { $0.stream == "stderr" }.map(\.text) == ["two\n"])
        #expect(text(outcome.stdout) == "one\nthree\nfour")
    }

    @Test func aCancelledRunEndsItsProcessGroup() async throws {
        let sleep = "sleep \(marker())"
        let task = Task { try await runner.run(["sh", "-c", "\(sleep) | cat"], timeout: 300) }
        let deadline = ContinuousClock.now + .seconds(10)
        while processes(containing: sleep).isEmpty, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        task.cancel()
        let outcome = try await task.value
        #expect(outcome.signal == SIGKILL)
        #expect(!outcome.timedOut)
        #expect(await gone(sleep) == [])
    }

    @Test func manyCommandsAtOnceEachGetTheirOwnOutput() async throws {
        let outputs = try await withThrowingTaskGroup(of: (Int, String).self) { group in
            for index in 0..<40 {
                group.addTask { (index, text(try await runner.run(["sh", "-c", "echo \(index)"], timeout: 30).stdout)) }
            }
            return try await group.reduce(into: [Int: String]()) { $0[$1.0] = $1.1 }
        }
        #expect(outputs.count == 40)
        #expect(outputs.allSatisfy { $0.value == "\($0.key)\n" })
    }
}
