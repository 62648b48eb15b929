import ArgumentParser
import Foundation
import Shared

/// Who carries `bosun send`'s messages: an engine `send` runs itself for as long as it waits, or the engine that
/// already runs on the data directory (the console or `bosun --headless`), reached through `inbox/`.
enum SendCarrier: Sendable {
    case own(NodeRuntime)
    case running(Store, dataDirectory: String)

    /// Starts an engine on the data directory, or finds the one that holds it. A NATS that cannot be reached
    /// ends `send` with exit 69.
    static func start(_ configuration: NodeRuntime.Configuration, connectTimeout: Double) async throws -> SendCarrier {
        do {
            return .own(
                try await CentralNode.start(
                    configuration, connectFor: .seconds(connectTimeout), logger: CentralNode.logger(level: .critical)))
        } catch let error as TransportError {
            FileHandle.standardError.write("bosun: \(error)\n")
            throw ExitCode(ExitStatus.unavailable)
        } catch is NodeError {
            // Another engine holds this data directory's lock.
            let directory = configuration.dataDirectory
            return .running(try Store(path: directory + "/state.db"), dataDirectory: directory)
        }
    }

    var store: Store {
        switch self {
        case .own(let runtime): return runtime.store
        case .running(let store, _): return store
        }
    }

    /// Whether an engine goes on carrying the messages after `send` ends.
    var engineStaysRunning: Bool {
        if case .running = self { return true }
        return false
    }

    /// Accepts `drafts` (each with its id and one destination); returns their ids.
    func accept(_ drafts: [Message]) throws -> [String] {
        switch self {
        case .own(let runtime):
            return try runtime.accept(drafts).map(\.id)
        case .running(_, let directory):
            let ids = drafts.compactMap(\.id)
            let batch = "[" + drafts.map { String(decoding: $0.encoded(), as: UTF8.self) }.joined(separator: ",") + "]"
            try FileSystem.makeDirectory(directory + "/inbox")
            try FileSystem.write(Array(batch.utf8), to: directory + "/inbox/send-\(ids[0]).json")
            return ids
        }
    }

    /// The node's last hello, as the registry has it.
    func lastSeen(_ node: String) -> Timestamp? {
        (try? store.node(named: node))?.lastSeen ?? nil
    }

    /// Runs `body` with the changes of the records `ids` (and Ctrl-C) as they come, while the messages are
    /// carried: by this process's engine, stopped when `body` returns, or by the running one, whose records are
    /// read from the store.
    func wait<T: Sendable>(
        ids: [String], _ body: @escaping @Sendable (Mailbox<SendWait.Event>) async -> T
    ) async throws -> T {
        let events = Mailbox<SendWait.Event>()
        let interrupts = InterruptSignals { events.deliver(.interrupted) }
        defer { withExtendedLifetime(interrupts) {} }
        let wanted = Set(ids)
        var token: UInt64?
        if case .own(let runtime) = self {
            token = runtime.outbox.addObserver { event in
                switch event {
                case .record(let record) where wanted.contains(record.id): events.deliver(.record(record))
                case .changed(let change) where wanted.contains(change.id): events.deliver(.changed(change))
                case .record, .changed: break
                }
            }
        }
        defer { if case .own(let runtime) = self, let token { runtime.outbox.removeObserver(token) } }
        // An answer may come before the observer is in place (a rejection takes a millisecond): start from the
        // stored records, or the wait would be for a change that already happened.
        for id in ids { if let record = try store.outboxRecord(id: id) { events.deliver(.record(record)) } }
        let result = try await withThrowingTaskGroup(of: T?.self) { group in
            switch self {
            case .own(let runtime):
                group.addTask {
                    try await runtime.run()
                    return nil
                }
            case .running(let store, let directory):
                group.addTask {
                    try await Self.poll(store, dataDirectory: directory, ids: ids, into: events)
                    return nil
                }
            }
            group.addTask { await body(events) }
            // The first to end ends the other: the wait is over, or the engine stopped (the wait then ends too).
            while let result = try await group.next() {
                group.cancelAll()
                if let result { return result }
            }
            throw CancellationError()
        }
        if case .own(let runtime) = self { await runtime.connection.close() }
        return result
    }

    /// Waits for `ids` as `waiting` says, with the progress line on stderr; the records as last seen.
    func waitWithProgress(ids: [String], _ waiting: SendWait) async throws -> (SendWait.Ending, [OutboxRecord]) {
        try await wait(ids: ids) { events in
            let progress = WaitProgress()
            defer { progress.clear() }
            return await waiting.run(ids: ids, events: events) { progress.update($0, lastSeen: self.lastSeen) }
        }
    }

    /// Reads the records another engine changes, delivering the ones that changed: again each time the engine
    /// commits (its store's WAL file is written; inotify says so), or every second should nothing be heard. A large
    /// fan-out is read at most every `ids.count / 2` ms (one read per message each round, at most ~2,000 reads a
    /// second).
    private static func poll(
        _ store: Store, dataDirectory: String, ids: [String], into events: Mailbox<SendWait.Event>
    ) async throws {
        let commits = FileChanges(directory: dataDirectory, names: ["state.db-wal"])
        let spacing = Duration.milliseconds(ids.count / 2)
        let fallback = commits.isWatching ? Duration.seconds(1) : .milliseconds(50)
        var seen: [String: OutboxRecord] = [:]
        // A commit's frames are written before its WAL index says it is there: a read woken by the write may come
        // too early to see it (or see the commit before it, both writes making one wake), so every wake is followed
        // by a second look, then a third.
        var looks: [Duration] = []
        while !Task.isCancelled {
            for id in ids {
                guard let record = try store.outboxRecord(id: id), record != seen[id] else { continue }
                seen[id] = record
                events.deliver(.record(record))
            }
            if spacing > .zero { try? await Task.sleep(for: spacing) }
            let wait = looks.isEmpty ? fallback : looks.removeFirst()
            if await commits.next(orAfter: wait) { looks = [.milliseconds(5), .milliseconds(50)] }
        }
    }
}
