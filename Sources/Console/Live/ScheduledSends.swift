import Shared

/// Sends that wait for their time (`bosun send --at`): each a batch file in `<data-dir>/scheduled/`, named
/// `<not-before, ms since the epoch>-<first id>.json` and holding exactly what `inbox/` takes. The running engine
/// moves a file into `inbox/` once its time has come, and the inbox input accepts it as any other batch.
///
/// Nothing about them is in memory: a file waits on disk across restarts of the engine, and the move is one
/// rename, so a batch is accepted once, never twice, never lost. With no engine running, files wait until one runs.
struct ScheduledSends: Sendable {
    let dataDirectory: String

    static let folder = "scheduled"
    var directory: String { dataDirectory + "/" + Self.folder }

    /// Writes a batch to be sent at `time`; returns the file's path.
    @discardableResult
    func schedule(_ messages: [Message], at time: Timestamp) throws -> String {
        try FileSystem.makeDirectory(directory)
        let batch = "[" + messages.map { String(decoding: $0.encoded(), as: UTF8.self) }.joined(separator: ",") + "]"
        let path = directory + "/\(time.millisecondsSinceEpoch)-\(messages.first?.id ?? MessageID.make()).json"
        try FileSystem.write(Array(batch.utf8), to: path)
        return path
    }

    /// The batches waiting, with their times, soonest first.
    func waiting() -> [(time: Timestamp, name: String)] {
        let names = (try? FileSystem.list(directory)) ?? []
        return names.compactMap { name -> (Timestamp, String)? in
            guard name.hasSuffix(".json"), let dash = name.firstIndex(of: "-"),
                let milliseconds = Int64(name[..<dash])
            else { return nil }
            return (Timestamp(millisecondsSinceEpoch: milliseconds), name)
        }.sorted { $0.0 < $1.0 }
    }

    /// Moves every batch whose time has come into `inbox/`; returns how many.
    @discardableResult
    func release(now: Timestamp) -> Int {
        var moved = 0
        for (time, name) in waiting() where time <= now {
            try? FileSystem.makeDirectory(dataDirectory + "/inbox")
            guard (try? FileSystem.rename(directory + "/" + name, to: dataDirectory + "/inbox/scheduled-" + name)) != nil
            else { continue }
            moved += 1
        }
        return moved
    }

    /// Releases batches as their time comes, checking every `interval`, until cancelled.
    func run(interval: Duration = .milliseconds(250)) async {
        while !Task.isCancelled {
            release(now: .now)
            try? await Task.sleep(for: interval)
        }
    }
}
