import Dispatch
import Foundation
import Synchronization
import Testing

@testable import Shared

@Suite struct FileSystemTests {
    /// Appending to a named pipe that nobody reads fails at once, saying why, instead of waiting for a reader: a
    /// `fileAppend` to one would hold its run, and every append of its stream behind it, for good.
    @Test func appendingToAPipeNobodyReadsFailsAtOnce() throws {
        try withTemporaryDirectory { directory in
            let pipe = directory + "/pipe"
            #expect(mkfifo(pipe, 0o600) == 0)
            let outcome = DispatchSemaphore(value: 0)
            let failure = Mutex<FileSystem.Failure?>(nil)
            Thread.detachNewThread {
                do throws(FileSystem.Failure) {
                    try FileSystem.append(Array("line\n".utf8), to: pipe, followSymlinks: false)
                } catch {
                    failure.withLock { $0 = error }
                }
                outcome.signal()
            }
            let waited = outcome.wait(timeout: .now() + 10) == .success
            if !waited {
                // It waits for a reader: give it one, so that its thread ends, and fail.
                let reader = open(pipe, O_RDONLY | O_NONBLOCK)
                outcome.wait()
                close(reader)
            }
            #expect(waited, "the append waited for a reader")
            #expect(failure.withLock { $0?.errno } == ENXIO, "\(String(describing: failure.withLock { $0 }))")
        }
    }
}
