import Foundation
import Testing

@testable import Agent

@Suite struct CommandPathsTests {
    /// Directories `a` and `b` under a fresh temporary one, removed afterwards.
    private func withDirectories(_ body: (_ a: String, _ b: String) async throws -> Void) async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("bosun-paths-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        for name in ["a", "b"] {
            try FileManager.default.createDirectory(atPath: root + "/" + name, withIntermediateDirectories: true)
        }
        try await body(root + "/a", root + "/b")
    }

    /// An executable script at `path` that prints `text`.
    private func tool(_ path: String, printing text: String = "x", mode: Int = 0o755) throws {
        try "#!/bin/sh\necho \(text)\n".write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
    }

    @Test func aNameIsLookedUpOnceAndTheFileFoundIsUsedAfterwards() async throws {
        try await withDirectories { a, b in
            let paths = CommandPaths()
            try tool(b + "/tool")
            #expect(try paths.resolve("tool", searchPath: "\(a):\(b)") == b + "/tool")
            // Found in a directory searched earlier only after the first look-up: the cached file is still used.
            try tool(a + "/tool")
            #expect(try paths.resolve("tool", searchPath: "\(a):\(b)") == b + "/tool")
            #expect(try CommandPaths().resolve("tool", searchPath: "\(a):\(b)") == a + "/tool")
        }
    }

    /// `tool` in both directories, already found in `a` by the cache handed to `body`.
    private func withToolInBoth(_ body: (_ paths: CommandPaths, _ a: String, _ b: String) async throws -> Void) async throws {
        try await withDirectories { a, b in
            let paths = CommandPaths()
            try tool(a + "/tool")
            try tool(b + "/tool")
            #expect(try paths.resolve("tool", searchPath: "\(a):\(b)") == a + "/tool")
            try await body(paths, a, b)
        }
    }

    @Test func aChangedPathIsSearchedAgain() async throws {
        try await withToolInBoth { paths, a, b async throws in
            #expect(try paths.resolve("tool", searchPath: b) == b + "/tool")
            #expect(try paths.resolve("tool", searchPath: "\(a):\(b)") == a + "/tool")
        }
    }

    @Test func aCachedFileThatIsGoneIsLookedUpAgain() async throws {
        try await withToolInBoth { paths, a, b async throws in
            try FileManager.default.removeItem(atPath: a + "/tool")
            #expect(try paths.resolve("tool", searchPath: "\(a):\(b)") == b + "/tool")
            try FileManager.default.removeItem(atPath: b + "/tool")
            #expect(throws: CommandNotFound(command: "tool", searchPath: "\(a):\(b)")) {
                try paths.resolve("tool", searchPath: "\(a):\(b)")
            }
        }
    }

    @Test func aNameWithASlashIsAPathAndIsNotLookedUp() async throws {
        try await withDirectories { a, _ in
            try tool(a + "/tool")
            let paths = CommandPaths()
            #expect(try paths.resolve("./tool", searchPath: a) == "./tool")
            #expect(try paths.resolve("sub/tool", searchPath: a) == "sub/tool")
            #expect(try paths.resolve(a + "/missing", searchPath: a) == a + "/missing")
        }
    }

    @Test func directoriesNonExecutablesAndRelativeEntriesAreSkipped() async throws {
        try await withDirectories { a, b in
            try FileManager.default.createDirectory(atPath: a + "/tool", withIntermediateDirectories: true)
            try tool(b + "/tool", mode: 0o644)
            #expect(throws: CommandNotFound.self) { try CommandPaths().resolve("tool", searchPath: "\(a):\(b):.:relative") }
            try tool(b + "/other")
            #expect(try CommandPaths().resolve("other", searchPath: "::\(a):\(b)") == b + "/other")
        }
    }

    @Test func aMissingCommandNamesItselfAndThePath() {
        #expect {
            try CommandPaths().resolve("no-such-bosun-command", searchPath: "/nonexistent:/usr/bin")
        } throws: { error in
            "\(error)" == "command `no-such-bosun-command` not found in any directory of PATH (/nonexistent:/usr/bin)"
        }
    }

    @Test func theRunnerLooksANameUpOnTheChildsPath() async throws {
        try await withDirectories { a, b in
            try tool(a + "/tool", printing: "from-a")
            try tool(b + "/tool", printing: "from-b")
            let runner = ProcessRunner()
            let outcome = try await runner.run(["tool"], timeout: 30, environment: ["PATH": "\(b):\(a)"])
            #expect(String(decoding: outcome.stdout, as: UTF8.self) == "from-b\n")
            #expect(outcome.exitCode == 0)
            await #expect(throws: CommandNotFound(command: "tool", searchPath: "/nonexistent")) {
                try await runner.run(["tool"], timeout: 30, environment: ["PATH": "/nonexistent"])
            }
        }
    }

    @Test func theRunnerLooksAgainWhenTheFileItRememberedIsGoneOrCannotRun() async throws {
        try await withDirectories { a, b in
            try tool(a + "/tool", printing: "from-a")
            try tool(b + "/tool", printing: "from-b")
            var runner = ProcessRunner()
            runner.commands = CommandPaths()
            let path = ["PATH": "\(a):\(b)"]
            #expect(String(decoding: try await runner.run(["tool"], timeout: 30, environment: path).stdout, as: UTF8.self) == "from-a\n")
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: a + "/tool")
            #expect(String(decoding: try await runner.run(["tool"], timeout: 30, environment: path).stdout, as: UTF8.self) == "from-b\n")
            try FileManager.default.removeItem(atPath: b + "/tool")
            await #expect(throws: CommandNotFound(command: "tool", searchPath: "\(a):\(b)")) {
                try await runner.run(["tool"], timeout: 30, environment: path)
            }
        }
    }

    @Test func theRunnerEndsACommandWhoseTimeIsUp() async throws {
        let outcome = try await ProcessRunner().run(["sh", "-c", "echo started; exec sleep 30"], timeout: 0.2)
        #expect(outcome.timedOut)
        #expect(outcome.signal == SIGTERM)
        #expect(String(decoding: outcome.stdout, as: UTF8.self) == "started\n")
    }
}
