import Foundation
import Logging
import Synchronization
import Testing

@testable import Shared

/// A receiver in this process, on a real nats-server and a real store, with handlers of the test's own: what it runs,
/// how many at once, and what it answers.
@Suite(.serialized)
struct ReceiverTests {
    /// How many runs were under way at once at most, and which ran, in order.
    final class Runs: Sendable {
        private let state = Mutex<(now: Int, most: Int, ran: [String])>((0, 0, []))
        var most: Int { state.withLock { $0.most } }
        var ran: [String] { state.withLock { $0.ran } }
        func enter(_ id: String) { state.withLock { $0.now += 1; $0.most = max($0.most, $0.now); $0.ran.append(id) } }
        func leave() { state.withLock { $0.now -= 1 } }
    }

    /// `slow`: runs for a while, counted.
    struct SlowHandler: MethodHandler {
        let runs: Runs
        func handle(_ message: Message, context: HandlerContext) async -> Reply {
            runs.enter(message.id ?? "")
            try? await Task.sleep(for: .milliseconds(300))
            runs.leave()
            return context.reply(to: message, .ok)
        }
    }

    static let slow = Method(rawValue: "slow")

    /// Opened once, by ``OpeningHandler``.
    final class Gate: Sendable {
        let isOpen = Atomic<Bool>(false)
    }

    /// `stuck`: runs until the gate opens.
    struct StuckHandler: MethodHandler {
        let gate: Gate
        func handle(_ message: Message, context: HandlerContext) async -> Reply {
            while !gate.isOpen.load(ordering: .acquiring) { try? await Task.sleep(for: .milliseconds(10)) }
            return context.reply(to: message, .ok)
        }
    }

    /// `opening`: runs at once, where the message is: opens the gate, then takes its time (holding up what its commit
    /// answers after it).
    struct OpeningHandler: ImmediateMethodHandler {
        let gate: Gate
        func handleNow(_ message: Message, context: HandlerContext) -> Reply {
            gate.isOpen.store(true, ordering: .releasing)
            usleep(800_000)
            return context.reply(to: message, .ok)
        }
        func handle(_ message: Message, context: HandlerContext) async -> Reply { handleNow(message, context: context) }
    }

    struct Harness {
        let client: NATSConnection
        let receiver: Receiver
        let store: Store
        let directory: String

        /// Sends message `id` (a CommandACK unless said otherwise) as the central node would, unsigned; its answers
        /// come to the inbox returned.
        func send(_ id: String, _ method: Method, _ arguments: [String]? = nil) throws -> ReplyInbox {
            let inbox = try client.makeInbox()
            let message = Message(id: id, toNode: "edge", fromNode: "central", messageType: .commandACK, method: method,
                methodArgs: arguments)
            try client.publish(Subject(node: "edge", method: method, messageType: .commandACK).description,
                payload: message.encoded(), replyTo: inbox.subject)
            return inbox
        }

        /// The answer to a message sent with ``send(_:_:_:)``, if one comes within 10 s.
        func answer(_ inbox: ReplyInbox) async -> Reply? {
            await inbox.next(timeout: .seconds(10)).flatMap { try? Reply.decode($0.payload) }
        }
    }

    /// A receiver for node `edge` taking unsigned messages; `prepare` may change its store before it starts.
    func withReceiver(
        handlers: [Method: any MethodHandler], maxConcurrentRuns: Int = 4, prepare: (Store) throws -> Void = { _ in },
        _ body: (Harness) async throws -> Void
    ) async throws {
        try await withNATSServerAndDirectory { url, directory in
            let connection = try await NATSConnection.connect(NATSConfiguration(servers: [url]))
            let client = try await NATSConnection.connect(NATSConfiguration(servers: [url]))
            let store = try Store(path: directory + "/state.db")
            try prepare(store)
            var logger = Logger(label: "test")
            logger.logLevel = .critical
            let receiver = Receiver(
                connection: connection, context: HandlerContext(node: "edge", dataDirectory: directory),
                handlers: handlers, store: store, journal: try Journal(path: directory + "/journal.jsonl"),
                errors: ErrorReporter(node: "edge", centralNode: "central", dataDirectory: directory, logger: logger),
                logger: logger, maxConcurrentRuns: maxConcurrentRuns, trust: TrustPolicy(acceptUnsigned: true))
            let running = Task { try await receiver.run() }
            await receiver.waitUntilListening()
            try await body(Harness(client: client, receiver: receiver, store: store, directory: directory))
            running.cancel()
            _ = try? await running.value
            await client.close()
            await connection.close()
        }
    }

    /// A message whose record cannot be written is not run, and gives its slot back once: the node still runs no more
    /// than its limit at once, and is idle when nothing runs (a graceful stop does not wait out its grace period).
    @Test func aMessageThatCannotBeRecordedGivesItsSlotBackOnce() async throws {
        let runs = Runs()
        try await withReceiver(handlers: [Self.slow: SlowHandler(runs: runs)], maxConcurrentRuns: 1) { store in
            try store.database.execute("""
                CREATE TRIGGER refused BEFORE INSERT ON received WHEN NEW.id LIKE 'unrecorded%'
                BEGIN SELECT RAISE(ABORT, 'refused by the test'); END
                """)
        } _: { harness in
            let unrecorded = try harness.send("unrecorded-1", Self.slow)
            #expect(await unrecorded.next(timeout: .milliseconds(500)) == nil, "answered without a record")
            let inboxes = try (1...3).map { try harness.send("recorded-\($0)", Self.slow) }
            for inbox in inboxes { #expect(await harness.answer(inbox)?.status == .ok) }
            #expect(runs.ran == ["recorded-1", "recorded-2", "recorded-3"])
            #expect(runs.most == 1, "\(runs.most) runs at once with a limit of one")
            #expect(await harness.receiver.waitUntilIdle(timeout: .seconds(5)))
        }
    }

    /// Two appends to one file in one batch, the first asking for an ACK and the second not: they run in the order
    /// they came, though the first waits for its record to be durable before it runs.
    @Test func aStreamRunsInOrderWhetherItsMessagesAskForAnACKOrNot() async throws {
        let runs = Runs()
        try await withReceiver(handlers: [.fileAppend: SlowHandler(runs: runs)]) { harness in
            let items = [("first", MessageType.eventACK), ("second", .eventNACK)].map { id, type in
                let message = Message(id: id, toNode: "edge", fromNode: "central", messageType: type, method: .fileAppend,
                    methodArgs: ["/data/log.txt"], data: id + "\n")
                return MessageBatch.Item(
                    subject: Subject(node: "edge", method: .fileAppend, messageType: type).description, token: id,
                    payload: message.encoded())
            }
            let inbox = try harness.client.makeInbox()
            try harness.client.publish(MessageBatch.subject(for: "edge"), payload: MessageBatch(items: items).encoded(),
                replyTo: inbox.subject)
            #expect(await eventually { runs.ran.count == 2 })
            #expect(runs.ran == ["first", "second"])
        }
    }

    /// A retry of a message that is running, whose run ends while the retry's commit is still answering the messages
    /// before it: the result goes on the retry's reply subject (the sender's newest), and nothing is left behind.
    @Test func aRetryRacingTheEndOfItsRunGetsTheResultOnItsOwnSubject() async throws {
        let gate = Gate()
        let (stuck, opening) = (Method(rawValue: "stuck"), Method(rawValue: "opening"))
        try await withReceiver(handlers: [stuck: StuckHandler(gate: gate), opening: OpeningHandler(gate: gate)]) { harness in
            let first = try harness.send("long", stuck)
            try await Task.sleep(for: .milliseconds(300))
            // One batch: a message whose answer opens the gate and takes a while, then the retry of the running one.
            let items = [("opener", opening), ("long", stuck)].map { id, method in
                MessageBatch.Item(subject: Subject(node: "edge", method: method, messageType: .commandACK).description,
                    token: id, payload: Message(id: id, toNode: "edge", fromNode: "central", messageType: .commandACK,
                        method: method).encoded())
            }
            let retry = try harness.client.makeInbox()
            try harness.client.publish(MessageBatch.subject(for: "edge"), payload: MessageBatch(items: items).encoded(),
                replyTo: retry.subject)
            var onRetry: [String] = []
            while let answer = await retry.next(timeout: .seconds(3)) {
                let replies = try (try? ReplyBatch.decode(answer.payload).entries.map(\.reply)) ?? [Reply.decode(answer.payload)]
                onRetry += replies.map { "\($0.id) \($0.status)" }
            }
            let onFirst = await first.next(timeout: .milliseconds(100)).flatMap { try? Reply.decode($0.payload) }
            #expect(onRetry.filter { $0.hasPrefix("long") }.last == "long ok",
                "on the retry's subject: \(onRetry); on the first: \(String(describing: onFirst))")
            #expect(harness.receiver.retriedWhileRunning.withLock { $0.isEmpty })
        }
    }

    /// A copy of a `trustKey` that ran, coming late (its ACK was lost) after a later one undid it, is answered from
    /// its record and not run again: the key revoked stays revoked.
    @Test func aLateCopyOfAMessageThatMayRunAgainDoesNotUndoALaterOne() async throws {
        try await withReceiver(handlers: [.trustKey: TrustKeyHandler(learned: LearnedKeys())]) { harness in
            let key = NodeKey().publicKey
            let added = await harness.answer(try harness.send("add", .trustKey, ["add", key]))
            #expect(added?.status == .ok && added?.stdout == "trusts " + key, "\(String(describing: added))")
            let revoked = await harness.answer(try harness.send("revoke", .trustKey, ["revoke", key]))
            #expect(revoked?.status == .ok, "\(String(describing: revoked))")
            let again = await harness.answer(try harness.send("add", .trustKey, ["add", key]))
            #expect(again == added, "the late copy got another answer than the first")
            #expect(try !TrustedKeys.read(dataDirectory: harness.directory).trusted.contains(key))
        }
    }
}
