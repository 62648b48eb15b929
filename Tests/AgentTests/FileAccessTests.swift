import Foundation
import Testing

@testable import Agent

@Suite struct FileAccessTests {
    /// A directory tree: `allowed/` with a file and a symlink to `outside/`, and `outside/` with a file.
    private func withTree(_ body: (String, FileAccess) throws -> Void) throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("bosun-access-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        for directory in ["allowed/sub", "outside"] {
            try FileManager.default.createDirectory(atPath: root + "/" + directory, withIntermediateDirectories: true)
        }
        try Data("a".utf8).write(to: URL(fileURLWithPath: root + "/allowed/a.txt"))
        try Data("b".utf8).write(to: URL(fileURLWithPath: root + "/outside/b.txt"))
        try FileManager.default.createSymbolicLink(atPath: root + "/allowed/out", withDestinationPath: root + "/outside")
        try FileManager.default.createSymbolicLink(atPath: root + "/allowed/dangling", withDestinationPath: root + "/outside/new")
        try body(root, FileAccess(allowed: AllowedDirectories([root + "/allowed"])))
    }

    @Test func pathsInsideAreResolved() throws {
        try withTree { root, access in
            let real = try #require(FileAccess.realPath(root))
            #expect(try access.resolve(root + "/allowed/a.txt", argument: "p", node: "n") == real + "/allowed/a.txt")
            #expect(try access.resolve(root + "/allowed/sub/new.txt", argument: "p", node: "n") == real + "/allowed/sub/new.txt")
            #expect(try access.resolve(root + "/allowed/./a.txt", argument: "p", node: "n") == real + "/allowed/a.txt")
        }
    }

    @Test func escapesAreRefused() throws {
        try withTree { root, access in
            for path in [
                root + "/outside/b.txt", root + "/allowed/../outside/b.txt", root + "/allowed/out/b.txt",
                root + "/allowed/out/new.txt", root + "/allowed-not/x", "allowed/a.txt", root + "/allowed/missing/x",
            ] {
                #expect(throws: ArgumentError.self, "\(path)") { try access.resolve(path, argument: "p", node: "n") }
            }
        }
    }

    @Test func aDanglingSymlinkResolvesToItsParentAndIsWrittenWithoutFollowing() throws {
        // The link itself is inside; writes open it with O_NOFOLLOW (fileAppend) or replace it (fileWrite).
        try withTree { root, access in
            let resolved = try access.resolve(root + "/allowed/dangling", argument: "p", node: "n")
            #expect(resolved.hasSuffix("/allowed/dangling"))
        }
    }

    @Test func noAllowedDirectoryRefusesEverything() {
        let access = FileAccess(allowed: AllowedDirectories())
        #expect(throws: ArgumentError.self) { try access.resolve("/tmp", argument: "p", node: "n") }
    }
}
