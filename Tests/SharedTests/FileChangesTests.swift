import Foundation
import Testing

@testable import Shared

/// A reader of another process's files (`bosun send` reading a running engine's store) wakes when one of the files
/// it watches is written, and not for the others.
@Suite struct FileChangesTests {
    @Test func aWriteToAWatchedFileEndsTheWaitAndOneToAnotherDoesNot() async throws {
        try await withTemporaryDirectory { directory in
            let changes = FileChanges(directory: directory, names: ["state.db-wal"])
            #expect(changes.isWatching)
            // Another file of the directory: the wait lasts its fallback.
            try Data("{}\n".utf8).write(to: URL(fileURLWithPath: directory + "/journal.jsonl"))
            #expect(await changes.next(orAfter: .milliseconds(300)) == false)
            // The watched one, appended to as a commit appends to the WAL: the wait ends with the change, long before
            // its fallback.
            #expect(FileManager.default.createFile(atPath: directory + "/state.db-wal", contents: nil))
            #expect(await changes.next(orAfter: .seconds(60)) == true)
            let wal = try #require(FileHandle(forWritingAtPath: directory + "/state.db-wal"))
            defer { try? wal.close() }
            try wal.write(contentsOf: Data(repeating: 1, count: 4096))
            #expect(await changes.next(orAfter: .seconds(60)) == true)
        }
    }

    @Test func withoutNamesAWriteToAnyFileOfTheDirectoryEndsTheWait() async throws {
        try await withTemporaryDirectory { directory in
            let changes = FileChanges(directory: directory, names: nil)
            #expect(await changes.next(orAfter: .milliseconds(300)) == false)
            try Data("booted\n".utf8).write(to: URL(fileURLWithPath: directory + "/app.log"))
            #expect(await changes.next(orAfter: .seconds(60)) == true)
        }
    }
}
