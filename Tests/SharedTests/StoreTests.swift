import Glibc
import Shared

@testable import Shared
import Testing

@Suite struct StoreTests {
    @Test func acceptedMessagesComeBackInAcceptanceOrderAfterReopening() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/state.db"
            let messages = ["m3", "m1", "m2", "m5", "m4"].enumerated().map { index, id in
                message(id, to: index.isMultiple(of: 2) ? "alpha" : "beta")
            }
            do {
                let store = try Store(path: path)
                let records = try store.accept(messages, now: at(1000))
                #expect(records.map(\.id) == ["m3", "m1", "m2", "m5", "m4"])
                #expect(records.allSatisfy { $0.state == .queued && $0.attempts == 0 && $0.updatedAt == at(1000) })
                #expect(records.map(\.sequence) == records.map(\.sequence).sorted())
                #expect(Set(records.map(\.sequence)).count == 5)
                try store.updateOutbox(id: "m1", state: .acked, now: at(2000))
                try store.updateOutbox(id: "m5", state: .sending, attempts: 1, now: at(2000))
            }
            let reopened = try Store(path: path)
            let unfinished = try reopened.unfinishedOutbox()
            #expect(unfinished.map(\.id) == ["m3", "m2", "m5", "m4"])
            #expect(unfinished.map(\.message) == [messages[0], messages[2], messages[3], messages[4]])
            #expect(unfinished.map(\.state) == [.queued, .queued, .sending, .queued])
            #expect(unfinished.map(\.attempts) == [0, 0, 1, 0])
        }
    }

    @Test func aDuplicateIDStoresNothingOfTheBatch() throws {
        try withStore { store in
            _ = try store.accept([message("first", to: "alpha")], now: at(1000))

            let stored = #expect(throws: StoreError.self) {
                try store.accept([message("second", to: "alpha"), message("first", to: "beta")], now: at(2000))
            }
            #expect(stored?.code == .duplicateID)
            #expect(stored?.description.contains("message first") == true)
            #expect(stored?.description.contains(store.path) == true)

            let repeated = #expect(throws: StoreError.self) {
                try store.accept([message("third", to: "alpha"), message("third", to: "beta")], now: at(2000))
            }
            #expect(repeated?.code == .duplicateID)
            #expect(repeated?.description.contains("message third") == true)

            #expect(try store.outboxRecord(id: "second") == nil)
            #expect(try store.outboxRecord(id: "third") == nil)
            #expect(try store.outboxRecords().map(\.id) == ["first"])
            #expect(try store.outboxRecord(id: "first")?.message.toNode == "alpha")
        }
    }

    @Test func aBigBatchIsEncodedAndSignedOnSeveralThreadsAndStoredInOrder() throws {
        let key = NodeKey()
        try withStore { store in
            let messages = (0..<500).map { message("m\($0)", to: "node-\($0 % 7)") }
            let records = try store.accept(messages, now: at(1000)) { key.signature(subject: $0, payload: $1) }
            #expect(records.map(\.id) == messages.map { $0.id })
            #expect(records.map(\.sequence) == Array(1...500))
            // Each stored row carries its own message's bytes, signed on its own subject.
            for node in 0..<7 {
                let rows = try store.outgoing(to: "node-\(node)", after: 0, limit: 500)
                #expect(rows.map(\.id) == messages.filter { $0.toNode == "node-\(node)" }.map { $0.id! })
                for row in rows {
                    #expect(row.payload == messages[Int(row.sequence) - 1].encoded())
                    #expect(row.signature?.verifies(subject: row.subject, payload: row.payload) == true)
                }
            }
            // A duplicate deep in a big batch stores nothing of it.
            let again = (500..<600).map { message("m\($0)", to: "alpha") } + [message("m3", to: "alpha")]
            let error = #expect(throws: StoreError.self) { try store.accept(again, now: at(2000)) }
            #expect(error?.code == .duplicateID)
            #expect(error?.description.contains("message m3 ") == true)
            #expect(try store.outboxCounts()[.queued] == 500)
        }
    }

    @Test func keyRecordsOfManyNodesAreReadTogetherByName() throws {
        try withStore { store in
            for node in ["alpha", "beta", "gamma"] {
                _ = try store.pinKey(node: node, key: "key-\(node)", state: node == "beta" ? .pending : .approved, at: at(1))
            }
            let records = try store.keyRecords(nodes: ["alpha", "beta", "nobody", #"quote"and\slash"#])
            #expect(records.keys.sorted() == ["alpha", "beta"])
            #expect(records["alpha"]?.publicKey == "key-alpha")
            #expect(records["beta"]?.state == .pending)
            #expect(try store.keyRecords(nodes: []).isEmpty)
        }
    }

    @Test func aMessageWithoutIDOrDestinationIsRefused() throws {
        try withStore { store throws in
            let error = #expect(throws: StoreError.self) {
                try store.accept([message("ok", to: "alpha"), Message(id: "lost", method: .ping)], now: at(1))
            }
            #expect(error?.code == .invalidMessage)
            #expect(error?.description.contains("lost") == true)
            #expect(try store.outboxCounts()[.queued] == 0)
        }
    }

    @Test func updateOutboxChangesOnlyWhatIsGiven() throws {
        try withStore { store in
            _ = try store.accept([message("m", to: "alpha")], now: at(1000))
            try store.updateOutbox(
                id: "m", state: .sending, attempts: 2, nextAttemptAt: at(5000), lastError: "timed out", now: at(2000))

            try store.updateOutbox(id: "m", state: .queued, now: at(3000))
            var record = try #require(try store.outboxRecord(id: "m"))
            #expect(record.state == .queued)
            #expect(record.attempts == 2)
            #expect(record.nextAttemptAt == at(5000))
            #expect(record.lastError == "timed out")
            #expect(record.reply == nil)
            #expect(record.updatedAt == at(3000))

            let reply = Reply(id: "m", fromNode: "alpha", status: .ok, exitCode: 0, stdout: "hi\n")
            try store.updateOutbox(
                id: "m", state: .acked, nextAttemptAt: .some(nil), lastError: .some(nil), reply: reply, now: at(4000))
            record = try #require(try store.outboxRecord(id: "m"))
            #expect(record.state == .acked)
            #expect(record.attempts == 2)
            #expect(record.nextAttemptAt == nil)
            #expect(record.lastError == nil)
            #expect(record.reply == reply)

            let missing = #expect(throws: StoreError.self) {
                try store.updateOutbox(id: "nope", state: .failed, now: at(5000))
            }
            #expect(missing?.code == .notFound)
        }
    }

    @Test func outboxQueriesFilterNewestFirstAndCount() throws {
        try withStore { store in
            let ids = ["a1", "b1", "a2", "b2", "a3"]
            _ = try store.accept(ids.map { message($0, to: $0.hasPrefix("a") ? "alpha" : "beta") }, now: at(1000))
            try store.updateOutbox(id: "a1", state: .acked, now: at(2000))
            try store.updateOutbox(id: "b2", state: .failed, now: at(2000))

            #expect(try store.outboxRecords().map(\.id) == ["a3", "b2", "a2", "b1", "a1"])
            #expect(try store.outboxRecords(limit: 2).map(\.id) == ["a3", "b2"])
            #expect(try store.outboxRecords(node: "alpha").map(\.id) == ["a3", "a2", "a1"])
            #expect(try store.outboxRecords(states: [.acked, .failed]).map(\.id) == ["b2", "a1"])
            #expect(try store.outboxRecords(node: "beta", states: [.queued]).map(\.id) == ["b1"])
            #expect(try store.outboxRecords(states: []).isEmpty)

            let counts = try store.outboxCounts()
            #expect(counts[.queued] == 3)
            #expect(counts[.acked] == 1)
            #expect(counts[.failed] == 1)
            #expect(counts[.expired] == 0)
            #expect(counts.count == OutboxState.allCases.count)
        }
    }

    @Test func pruneOutboxDeletesOnlyOldFinishedRecords() throws {
        try withStore { store in
            _ = try store.accept(
                ["old-acked", "new-failed", "old-queued"].map { message($0, to: "alpha") }, now: at(500))
            try store.updateOutbox(id: "old-acked", state: .acked, now: at(1000))
            try store.updateOutbox(id: "new-failed", state: .failed, now: at(3000))

            #expect(try store.pruneOutbox(finishedBefore: at(2000)) == 1)
            #expect(try store.outboxRecords().map(\.id).sorted() == ["new-failed", "old-queued"])
            #expect(try store.pruneOutbox(finishedBefore: at(4000)) == 1)
            #expect(try store.outboxRecords().map(\.id) == ["old-queued"])
        }
    }

    @Test func receivingAMessageTwiceRunsItOnce() throws {
        try withStore { store in
            let first = try store.beginReceive(
                id: "r1", fromNode: "central", method: "cliCommand", replyTo: "_INBOX.1", now: at(1000))
            #expect(first == .new)
            #expect(try store.receivedReplyTo(id: "r1") == "_INBOX.1")
            #expect(try store.runningReceived() == ["r1"])

            let retry = try store.beginReceive(
                id: "r1", fromNode: "central", method: "cliCommand", replyTo: "_INBOX.2", now: at(2000))
            #expect(retry == .running)
            #expect(try store.receivedReplyTo(id: "r1") == "_INBOX.2")

            let reply = Reply(id: "r1", fromNode: "alpha", status: .ok, exitCode: 3, stderr: "boom")
            try store.finishReceive(id: "r1", reply: reply, now: at(3000))
            let late = try store.beginReceive(
                id: "r1", fromNode: "central", method: "cliCommand", replyTo: "_INBOX.3", now: at(4000))
            #expect(late == .finished(reply))
            #expect(try store.runningReceived().isEmpty)
            #expect(try store.receivedCount() == 1)

            let missing = #expect(throws: StoreError.self) {
                try store.finishReceive(id: "never", reply: reply, now: at(5000))
            }
            #expect(missing?.code == .notFound)
        }
    }

    @Test func aRerunnableMessageIsRecordedWithItsAnswerAndEveryCopyGetsTheFirstStoredAnswer() async throws {
        try await withTemporaryDirectory { directory in
            let store = try Store(path: directory + "/state.db")
            func record(_ id: String, _ reply: Reply, at time: Int64) async throws -> Reply {
                try await withCheckedThrowingContinuation { continuation in
                    store.grouped(store.recordRunWrite(id: id, fromNode: "central", method: "ping",
                        replyTo: "_INBOX.\(time)", reply: reply, now: at(time)) { continuation.resume(with: $0) })
                }
            }
            let first = Reply(id: "p1", fromNode: "alpha", status: .ok, stdout: "first run")
            #expect(try await record("p1", first, at: 1000) == first)
            // Recorded finished in that one step: a retry that takes the other path gets the stored answer.
            #expect(try store.runningReceived().isEmpty)
            #expect(try store.beginReceive(id: "p1", fromNode: "central", method: "ping", replyTo: nil, now: at(1500))
                == .finished(first))
            // A second run of the same message (a retry that came while it ran) answers what the first stored.
            let second = Reply(id: "p1", fromNode: "alpha", status: .ok, stdout: "second run")
            #expect(try await record("p1", second, at: 2000) == first)
            // A record a run left running (cut off) is finished by the next run, with its answer.
            #expect(try store.beginReceive(id: "p2", fromNode: "central", method: "ping", replyTo: nil, now: at(3000)) == .new)
            let rerun = Reply(id: "p2", fromNode: "alpha", status: .ok, stdout: "rerun")
            #expect(try await record("p2", rerun, at: 4000) == rerun)
            #expect(try store.beginReceive(id: "p2", fromNode: "central", method: "ping", replyTo: nil, now: at(5000))
                == .finished(rerun))
            #expect(try store.receivedCount() == 2)
        }
    }

    @Test func runningMessagesAreInterruptedAfterARestart() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/state.db"
            do {
                let store = try Store(path: path)
                for (index, id) in ["late", "early", "done"].enumerated() {
                    let received = try store.beginReceive(
                        id: id, fromNode: "central", method: "cliCommand", replyTo: nil, now: at(Int64(3 - index)))
                    #expect(received == .new)
                }
                try store.finishReceive(
                    id: "done", reply: Reply(id: "done", fromNode: "alpha", status: .ok), now: at(5))
            }
            let reopened = try Store(path: path)
            #expect(try reopened.markRunningInterrupted(now: at(100)) == ["early", "late"])
            #expect(try reopened.markRunningInterrupted(now: at(200)) == [])
            #expect(try reopened.runningReceived().isEmpty)
            let again = try reopened.beginReceive(
                id: "late", fromNode: "central", method: "cliCommand", replyTo: "_INBOX.9", now: at(300))
            #expect(again == .interrupted)
        }
    }

    @Test func pruneReceivedKeepsRunningMessages() throws {
        try withStore { store in
            for id in ["finished", "interrupted", "running"] {
                _ = try store.beginReceive(id: id, fromNode: "central", method: "ping", replyTo: nil, now: at(1))
            }
            try store.finishReceive(
                id: "finished", reply: Reply(id: "finished", fromNode: "alpha", status: .ok), now: at(1000))
            #expect(try store.markRunningInterrupted(now: at(3000)).sorted() == ["interrupted", "running"])
            _ = try store.beginReceive(id: "running2", fromNode: "central", method: "ping", replyTo: nil, now: at(1))

            #expect(try store.pruneReceived(finishedBefore: at(2000)) == 1)
            #expect(try store.receivedCount() == 3)
            #expect(try store.pruneReceived(finishedBefore: at(10_000)) == 2)
            #expect(try store.receivedCount() == 1)
            #expect(try store.runningReceived() == ["running2"])
        }
    }

    /// A received message's record is kept until its ttl has ended, however long ago it finished: its sender may
    /// retry it until then, and the retry must get the stored answer, not run it again.
    @Test func pruneReceivedKeepsMessagesUntilTheirTTLEnds() throws {
        try withStore { store in
            let reply = Reply(id: "long", fromNode: "alpha", status: .ok)
            for (id, expiresAt) in [("long", at(1_000_000)), ("short", at(5000)), ("none", nil)] {
                _ = try store.beginReceive(
                    id: id, fromNode: "central", method: "cliCommand", replyTo: nil, expiresAt: expiresAt, now: at(1))
                try store.finishReceive(id: id, reply: Reply(id: id, fromNode: "alpha", status: .ok), now: at(1000))
            }
            // Finished long enough ago, all three; only those whose ttl has ended (or who have none) go.
            #expect(try store.pruneReceived(finishedBefore: at(10_000), now: at(20_000)) == 2)
            #expect(try store.beginReceive(
                id: "long", fromNode: "central", method: "cliCommand", replyTo: nil, now: at(30_000)) == .finished(reply))
            #expect(try store.pruneReceived(finishedBefore: at(10_000), now: at(2_000_000)) == 1)
            #expect(try store.receivedCount() == 0)
        }
    }

    @Test func helloAndByeUpdateTheRegistryAndKeepFirstSeen() throws {
        try withStore { store in
            let facts = Array(#"{"os":"linux"}"#.utf8)
            try store.recordHello(node: "beta", facts: facts, helloInterval: 10, at: at(1000))
            try store.recordBye(node: "beta", at: at(2000))
            var beta = try #require(try store.node(named: "beta"))
            #expect(beta.saidBye)
            #expect(beta.lastSeen == at(2000))
            #expect(beta.facts == facts)

            let newFacts = Array(#"{"os":"linux","cpus":4}"#.utf8)
            try store.recordHello(node: "beta", facts: newFacts, helloInterval: 5, at: at(3000))
            try store.recordHello(node: "beta", facts: nil, helloInterval: nil, at: at(4000))
            beta = try #require(try store.node(named: "beta"))
            #expect(
                beta
                    == NodeRecord(
                        name: "beta", facts: newFacts, lastSeen: at(4000), helloInterval: 5, saidBye: false,
                        firstSeen: at(1000)))

            try store.recordBye(node: "alpha", at: at(5000))
            #expect(try store.nodes().map(\.name) == ["alpha", "beta"])
            #expect(
                try store.node(named: "alpha")
                    == NodeRecord(name: "alpha", lastSeen: at(5000), saidBye: true, firstSeen: at(5000)))
            #expect(try store.node(named: "gamma") == nil)

            // A hello from a node that runs unsigned messages marks it, as the agent writes it (compact JSON).
            var hello = Hello(version: "1", helloInterval: 10, methods: [])
            hello.insecure = true
            let insecure = hello.encoded()
            try store.recordHello(node: "lab", facts: insecure, helloInterval: 10, at: at(6000))
            #expect(try store.node(named: "lab")?.insecure == true)
            #expect(try store.node(named: "beta")?.insecure == false)
        }
    }

    @Test func concurrentAcceptsAllLandWithDistinctSequences() async throws {
        try await withTemporaryDirectory { directory async throws in
            let store = try Store(path: directory + "/state.db")
            try await withThrowingTaskGroup(of: Void.self) { group in
                for task in 0..<8 {
                    group.addTask {
                        for batch in 0..<5 {
                            let ids = (0..<4).map { "t\(task)-b\(batch)-\($0)" }
                            _ = try store.accept(ids.map { message($0, to: "alpha") }, now: at(1))
                        }
                    }
                }
                try await group.waitForAll()
            }
            let records = try store.outboxRecords()
            #expect(records.count == 160)
            #expect(Set(records.map(\.sequence)).count == 160)
        }
    }

    @Test func openingInAMissingDirectoryNamesThePath() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/missing/state.db"
            let error = #expect(throws: StoreError.self) { try Store(path: path) }
            #expect(error?.code == .cannotOpen)
            #expect(error?.description.contains(path) == true)
        }
    }
}

private func at(_ milliseconds: Int64) -> Timestamp {
    Timestamp(millisecondsSinceEpoch: milliseconds)
}

/// A message as the store receives it: accepted, with every default written in.
private func message(_ id: String, to node: String) -> Message {
    Message(
        id: id, toNode: node, fromNode: "central", messageType: .commandACK, method: .cliCommand,
        methodArgs: ["echo", id], ackTimeout: 10, retries: 0, retryWait: 1, methodTimeout: 60, ttl: 604_800,
        createdAt: at(1_700_000_000_123))
}

private func withStore(_ body: (Store) throws -> Void) throws {
    try withTemporaryDirectory { directory in try body(try Store(path: directory + "/state.db")) }
}

