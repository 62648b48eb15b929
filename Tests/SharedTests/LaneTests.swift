import Dispatch
import Logging
import Synchronization
import Testing

@testable import Shared

/// The delivery lanes over an in-memory transport, a real store and a clock the test moves: windows, order,
/// probing a node that is down, retries and expiry, without NATS and without sleeping.
@Suite struct LaneTests {
    struct Harness {
        let store: Store
        let transport: InMemoryTransport
        let clock: TestClock
        let outbox: Outbox
        let directory: String

        var published: [InMemoryTransport.Publish] { transport.published }
        var writes: Int { store.groupCommit.submitted.load(ordering: .relaxed) }

        func state(_ id: String) -> OutboxState? { try? store.outboxRecord(id: id)?.state }

        func isWaitingForNode(_ id: String) -> Bool {
            (try? store.outboxRecord(id: id)).flatMap { $0 }.map(Outbox.isWaitingForNode) ?? false
        }

        func accept(_ count: Int, method: Method = .log, ttl: Double? = nil) throws -> [String] {
            let drafts = (0..<count).map { index in
                Message(toNode: "edge", method: method, methodArgs: method == .log ? ["app"] : ["echo", "\(index)"],
                    data: method == .log ? "line \(index)\n" : nil, ttl: ttl)
            }
            return try outbox.accept(drafts).map(\.id)
        }

        /// Edge's key approved, and a ping answered by edge saying it takes messages with a MAC (and batches of them):
        /// the lane sends it MACs from here on. One publish made.
        func learnThatEdgeTakesMACs(andBatches batches: Bool = false) async throws {
            _ = try store.pinKey(node: "edge", key: transport.nodeKey.publicKey, state: .approved, at: .now)
            _ = try accept(1, method: .ping)
            #expect(await waitForPublishes(1))
            transport.ack(published[0], takesMACs: true, takesBatches: batches)
            #expect(await poll { state(published[0].id) == .acked })
        }

        /// The first of the `inFlight` messages published finds nobody subscribed: the lane blocks (the store marks
        /// everything up to `lastWaiting` waiting for edge) and, 100 s later, probes with the oldest waiting message,
        /// the next publish.
        func blockUntilProbe(inFlight: Int, lastWaiting: String) async {
            #expect(await waitForPublishes(inFlight))
            transport.noResponders(published[0])
            #expect(await poll { isWaitingForNode(lastWaiting) })
            clock.advance(seconds: 100)
            #expect(await waitForPublishes(inFlight + 1))
        }

        /// Waits (polling, with a deadline) until `count` publishes have been made.
        func waitForPublishes(_ count: Int) async -> Bool {
            await poll { published.count >= count }
        }
    }

    func withHarness(window: Int = 16, key: NodeKey? = nil, _ body: (Harness) async throws -> Void) async throws {
        try await withTemporaryDirectory { directory in
            let store = try Store(path: directory + "/state.db")
            let transport = InMemoryTransport()
            let clock = TestClock()
            var configuration = Outbox.Configuration(node: "central")
            configuration.defaults.window = window
            configuration.clock = clock
            configuration.key = key.map { KeyRing($0) }
            // The central node's outbox: it believes a signed ACK from a node it has no key on record for.
            configuration.trust = TrustPolicy(pinsNodes: true)
            let logger = Logger(label: "test")
            let outbox = Outbox(
                configuration: configuration, store: store, journal: try Journal(path: directory + "/journal.jsonl"),
                transport: transport,
                errors: ErrorReporter(node: "central", centralNode: "central", dataDirectory: directory, logger: logger),
                logger: logger)
            let runner = Task { try await outbox.run() }
            defer { runner.cancel() }
            // Messages accepted from here on are live traffic, not a backlog found at the start.
            #expect(await poll { transport.isSubscribed })
            try await body(Harness(store: store, transport: transport, clock: clock, outbox: outbox, directory: directory))
            runner.cancel()
            _ = try? await runner.value
        }
    }

    /// A lane of its own, driven event by event by the test (no outbox around it), over an in-memory transport
    /// whose answers it takes, with a real store and a test clock.
    func withLane(
        window: Int, _ body: (Lane, Store, InMemoryTransport, LaneContext) async throws -> Void
    ) async throws {
        try await withTemporaryDirectory { directory in
            let store = try Store(path: directory + "/state.db")
            let transport = InMemoryTransport()
            let logger = Logger(label: "test")
            let context = LaneContext(
                node: "central", store: store, journal: try Journal(path: directory + "/journal.jsonl"),
                publisher: transport, replyPrefix: "_INBOX.test", resumeThrough: 0, window: window, retryWaitCap: 60,
                probeWait: 1, idleTimeout: .seconds(60), trust: TrustPolicy(pinsNodes: true), signer: nil,
                errors: ErrorReporter(node: "central", centralNode: "central", dataDirectory: directory, logger: logger),
                logger: logger, clock: TestClock(), changed: { _ in })
            let lane = Lane(node: "edge", token: "lane")
            _ = try transport.subscribeReplies { lane.deliver(.reply($0)) }
            lane.start(context)
            try await body(lane, store, transport, context)
            await store.settle()
        }
    }

    /// The journal's copy of an accepted message is the JSON the outbox stored, written as it is: the same line an
    /// encoder writes for the entry, with the message's bytes those of the store.
    @Test func anAcceptedMessagesJournalLineCarriesTheStoredJSON() async throws {
        try await withHarness { harness in
            let id = try harness.accept(1, method: .cliCommand)[0]
            let record = try #require(try harness.store.outboxRecord(id: id))
            let journal = harness.outbox.journal
            journal.flush()
            let accepted = try #require(journal.entries().first { $0.event == .accepted && $0.id == id })
            let line = try #require(try FileSystem.read(harness.directory + "/journal.jsonl")
                .split(separator: UInt8(ascii: "\n")).first { String(decoding: $0, as: UTF8.self).contains(#""event":"accepted""#) })
            #expect(Array(line) == Array(try JSONLines.encoder.encode(accepted)))
            let stored = try #require(try harness.store.outgoing(to: "edge", after: 0, limit: 1).first)
            #expect(String(decoding: line, as: UTF8.self).contains(String(decoding: stored.payload, as: UTF8.self)))
            #expect(accepted.message == record.message)
        }
    }

    @Test func aLaneStreamsItsBacklogAWindowAtATimeInAcceptanceOrder() async throws {
        try await withHarness(window: 16) { harness in
            let ids = try harness.accept(100)
            #expect(await harness.waitForPublishes(16))
            // The window is full: nothing more goes out until something is answered.
            await settle()
            #expect(harness.published.count == 16)
            var answered = 0
            while answered < 100 {
                #expect(await harness.waitForPublishes(answered + 1))
                harness.transport.ack(harness.published[answered])
                answered += 1
            }
            #expect(await poll { ids.allSatisfy { harness.state($0) == .acked } })
            #expect(harness.published.map(\.id) == ids)
        }
    }

    /// A message accepted for a node whose lane knows the outbox up to the node's previous message is sent as the
    /// accept stored it, without reading it back: one after another, no window read at all.
    @Test func aLaneSendsWhatAnAcceptHandsItWithoutReadingItBack() async throws {
        try await withHarness(window: 16) { harness in
            var ids: [String] = []
            for index in 0..<5 {
                ids += try harness.accept(1)
                #expect(await harness.waitForPublishes(index + 1))
                harness.transport.ack(harness.published[index])
                #expect(await poll { harness.state(ids[index]) == .acked })
            }
            #expect(harness.published.map(\.id) == ids)
            #expect(harness.store.windowReads.load(ordering: .relaxed) == 0)
            // What went is what the store holds, byte for byte.
            let stored = try ids.map { id in try #require(try harness.store.outboxRecord(id: id)).message.encoded() }
            #expect(harness.published.map(\.payload) == stored)
        }
    }

    /// A handed message that does not follow what the lane knows (here one stored for the node behind the outbox's
    /// back comes before it) is not sent on its own: the lane reads the store, and both go in acceptance order.
    @Test func aHandedMessageThatSkipsOneIsReadFromTheStoreWithIt() async throws {
        try await withHarness(window: 16) { harness in
            let first = try harness.accept(1)
            #expect(await harness.waitForPublishes(1))
            harness.transport.ack(harness.published[0])
            #expect(await poll { harness.state(first[0]) == .acked })
            let behind = try harness.store.accept(
                Message(toNode: "edge", method: .log, methodArgs: ["app"], data: "behind\n")
                    .accepted(from: "central", defaults: .standard, now: harness.clock.now), now: harness.clock.now).map(\.id)
            let next = try harness.accept(1)
            #expect(await harness.waitForPublishes(3))
            #expect(harness.published.map(\.id) == first + behind + next)
            #expect(harness.store.windowReads.load(ordering: .relaxed) == 1)
        }
    }

    /// A burst carried to its end gives back the memory it took, once the lane has nothing left to do: not while
    /// one message of it is still out.
    @Test func aLaneThatCarriedABurstGivesItsMemoryBackOnceItIsDone() async throws {
        try await withHarness(window: 256) { harness in
            let ids = try harness.accept(Outbox.trimAfter + 1)
            for index in 0..<(ids.count - 1) {
                #expect(await harness.waitForPublishes(index + 1))
                harness.transport.ack(harness.published[index])
            }
            #expect(await poll { ids.dropLast().allSatisfy { harness.state($0) == .acked } })
            await settle()
            #expect(harness.outbox.trims.load(ordering: .relaxed) == 0)
            #expect(await harness.waitForPublishes(ids.count))
            harness.transport.ack(harness.published[ids.count - 1])
            #expect(await poll { harness.outbox.trims.load(ordering: .relaxed) == 1 })
            #expect(await poll { harness.state(ids[ids.count - 1]) == .acked })
        }
    }

    /// A lane's events are handled by whichever thread brings them, unless another holds the lane: that one takes
    /// them before it lets go. Accepts and ACKs from several threads at once, the lane's own task keeping its
    /// deadlines meanwhile: every message is sent once, in order, and acknowledged.
    @Test func eventsFromManyThreadsAtOnceAreAllHandledAndNoneTwice() async throws {
        try await withHarness(window: 32) { harness in
            let (threads, perThread) = (4, 150)
            let acked = Mutex(0)
            let token = harness.outbox.addObserver { event in
                if case .changed(let change) = event, change.state == .acked { acked.withLock { $0 += 1 } }
            }
            defer { harness.outbox.removeObserver(token) }
            let answeredUpTo = Atomic<Int>(0)
            DispatchQueue.concurrentPerform(iterations: threads * 2) { worker in
                if worker < threads {
                    for _ in 0..<perThread { _ = try? harness.accept(1) }
                    return
                }
                // The other threads answer what is published, each publish once, as soon as it is there.
                let giveUp = ContinuousClock.now + .seconds(20)
                while answeredUpTo.load(ordering: .relaxed) < threads * perThread, ContinuousClock.now < giveUp {
                    let next = answeredUpTo.load(ordering: .relaxed)
                    let published = harness.published
                    guard next < published.count else { continue }
                    if answeredUpTo.compareExchange(expected: next, desired: next + 1, ordering: .relaxed).exchanged {
                        harness.transport.ack(published[next])
                    }
                }
            }
            #expect(await poll { acked.withLock { $0 } == threads * perThread })
            await settle()
            #expect(acked.withLock { $0 } == threads * perThread)
            let ids = harness.published.map(\.id)
            #expect(ids.count == threads * perThread && Set(ids).count == ids.count)
            // In acceptance order: the store's sequence is the order the accepts committed in.
            let stored = try harness.store.outboxRecords(limit: threads * perThread).sorted { $0.sequence < $1.sequence }
            #expect(ids == stored.map { $0.message.id ?? "" })
            #expect(stored.allSatisfy { $0.state == .acked })
        }
    }

    /// The lane's own task takes the lane's lock too (for its deadlines, and to retire the lane when idle): an
    /// event that comes meanwhile is not left behind, and an accept that meets a retiring lane goes to the next one.
    @Test func messagesAcceptedWhileTheLanesTaskKeepsItsTimeAreAllSent() async throws {
        try await withHarness(window: 4) { harness in
            // Time passes fast: the lane's task retires the lane each time it is idle for a minute, and the next
            // accept makes a new one, whose task starts as the accept wakes it.
            let ticker = Task.detached {
                while !Task.isCancelled {
                    harness.clock.advance(seconds: 61)
                    try? await Task.sleep(for: .milliseconds(2))
                }
            }
            defer { ticker.cancel() }
            for round in 0..<200 {
                // Neither late nor expired in the years of time that pass meanwhile: sent once.
                var draft = Message(toNode: "edge", method: .ping)
                draft.ackTimeout = 300_000_000.0
                draft.ttl = 300_000_000.0
                let sent = harness.published.count
                let accepted: [OutboxRecord] = try harness.outbox.accept([draft])
                let id: String = accepted[0].id
                guard await poll({ harness.published.count > sent }) else {
                    Issue.record("message \(round) was never sent")
                    return
                }
                let publish = harness.published[sent]
                #expect(publish.id == id)
                harness.transport.ack(publish)
                guard await poll({ harness.state(id) == .acked }) else {
                    Issue.record("message \(round) was never acknowledged: \(String(describing: harness.state(id)))")
                    return
                }
            }
        }
    }

    @Test func observersHearTheAcceptedRecordThenChangesThatRebuildWhatTheStoreHas() async throws {
        try await withHarness(window: 4) { harness in
            let heard = Mutex<[OutboxEvent]>([])
            _ = harness.outbox.addObserver { event in heard.withLock { $0.append(event) } }
            let ids = try harness.accept(2, method: .cliCommand)
            #expect(await harness.waitForPublishes(2))
            harness.transport.ack(harness.published[0])
            harness.transport.noResponders(harness.published[1])
            #expect(await poll { harness.state(ids[0]) == .acked && harness.isWaitingForNode(ids[1]) })
            await harness.store.settle()
            // Observers hear that the second waits for its node once the lane has taken the store's answer.
            #expect(await poll {
                heard.withLock { events in
                    events.contains { if case .changed(let change) = $0 { change.id == ids[1] && change.state == .queued } else { false } }
                }
            })
            let events = heard.withLock { $0 }
            for id in ids {
                let mine = events.filter { $0.id == id }
                // The record once, at accept; after that only changes, nothing read back from the store.
                guard case .record(let accepted) = mine.first else {
                    Issue.record("no record at accept for \(id): \(mine)")
                    continue
                }
                #expect(mine.dropFirst().allSatisfy { if case .changed = $0 { true } else { false } })
                let rebuilt = mine.dropFirst().reduce(accepted) { record, event in
                    guard case .changed(let change) = event else { return record }
                    return record.applying(change)
                }
                let stored = try #require(try harness.store.outboxRecord(id: id))
                #expect(rebuilt.state == stored.state)
                #expect(rebuilt.attempts == stored.attempts)
                #expect(rebuilt.lastError == stored.lastError)
                #expect(rebuilt.reply?.status == stored.reply?.status)
            }
            #expect(events.contains { if case .changed(let change) = $0 { change.id == ids[0] && change.state == .sending } else { false } })
        }
    }

    @Test func aBlockedLaneCostsOneWritePerProbeWhateverTheBacklog() async throws {
        try await withHarness { harness in
            let ids = try harness.accept(2000)
            #expect(await harness.waitForPublishes(16))
            harness.transport.noResponders(harness.published[0])
            // The first failure marks the whole backlog as waiting for its node, in one write.
            #expect(await poll { harness.isWaitingForNode(ids[1999]) })
            let before = harness.writes
            for probe in 1...5 {
                harness.clock.advance(seconds: 100)
                #expect(await harness.waitForPublishes(16 + probe))
                // The probe is the oldest waiting message, again.
                #expect(harness.published.last?.id == ids[0])
                harness.transport.noResponders(harness.published[15 + probe])
                #expect(await poll { harness.writes == before + probe })
            }
            await settle()
            #expect(harness.writes == before + 5)
            #expect(harness.published.count == 21)
            #expect(harness.state(ids[1999]) == .queued)
        }
    }

    /// A node whose ACK says it takes messages with a MAC gets its next ones stored unsigned (its lane makes the MAC
    /// as it sends them) only while its key on record is approved; otherwise they are signed at accept, as before.
    @Test func messagesAreStoredUnsignedForALaneThatSendsMACsOnly() async throws {
        try await withHarness(key: NodeKey()) { harness in
            _ = try harness.store.pinKey(node: "approved", key: harness.transport.nodeKey.publicKey, state: .approved, at: .now)
            _ = try harness.store.pinKey(node: "pending", key: harness.transport.nodeKey.publicKey, state: .pending, at: .now)
            for node in ["approved", "pending"] {
                _ = try harness.outbox.accept([Message(toNode: node, method: .ping)])
            }
            #expect(await harness.waitForPublishes(2))
            for publish in harness.published {
                harness.transport.ack(publish, from: String(publish.subject.split(separator: ".")[1]), takesMACs: true)
            }
            #expect(await poll { harness.published.allSatisfy { harness.state($0.id) == .acked } })
            for node in ["approved", "pending"] {
                _ = try harness.outbox.accept([Message(toNode: node, method: .ping)])
            }
            let stored = try ["approved", "pending"].map { node in
                try #require(try harness.store.outgoing(to: node, after: 0, limit: 10).last)
            }
            #expect(stored[0].signature == nil, "stored unsigned for the node that gets MACs")
            #expect(stored[1].signature?.verifies(subject: stored[1].subject, payload: stored[1].payload) == true,
                "signed at accept for the node whose key is not approved")
        }
    }

    /// Messages that went with a MAC the node could not check (its key changed behind the central's back) go again
    /// at once, signed, each when the node refuses it, even after the first refusal made the lane stop sending MACs;
    /// none is taken as rejected by its node.
    @Test func messagesRefusedForTheirMACGoAgainSignedEvenAfterTheLaneStoppedSendingMACs() async throws {
        try await withHarness(key: NodeKey()) { harness in
            try await harness.learnThatEdgeTakesMACs()

            let ids = try harness.accept(2, method: .cliCommand)
            #expect(await harness.waitForPublishes(3))
            let sent = Array(harness.published[1...])
            #expect(sent.map(\.id) == ids)
            #expect(sent.allSatisfy { $0.signature?.isMAC == true })
            for publish in sent { harness.transport.refuse(publish, reason: TrustPolicy.badMAC.reason) }
            #expect(await harness.waitForPublishes(5))
            let again = Array(harness.published[3...])
            #expect(Set(again.map(\.id)) == Set(ids))
            #expect(again.allSatisfy { $0.signature != nil && $0.signature?.isMAC == false })
            for publish in again { harness.transport.ack(publish) }
            #expect(await poll { ids.allSatisfy { harness.state($0) == .acked } }, "\(ids.map { harness.state($0) as Any })")
        }
    }

    /// A batch of messages under a MAC the node could not check is refused whole, on its first message's reply
    /// subject: every message of the batch goes again at once, signed.
    @Test func aBatchRefusedForItsMACGoesAgainSignedWhole() async throws {
        try await withHarness(key: NodeKey()) { harness in
            try await harness.learnThatEdgeTakesMACs(andBatches: true)

            let ids = try harness.accept(4, method: .cliCommand)
            #expect(await harness.waitForPublishes(2))
            let batch = harness.published[1]
            #expect(batch.subject == MessageBatch.subject(for: "edge"))
            #expect(try MessageBatch.decode(batch.payload).items.count == ids.count)
            #expect(batch.signature?.isMAC == true)
            harness.transport.refuse(batch, reason: TrustPolicy.badMAC.reason)
            #expect(await harness.waitForPublishes(2 + ids.count))
            let again = Array(harness.published[2...])
            #expect(again.map(\.id) == ids)
            #expect(again.allSatisfy { $0.signature != nil && $0.signature?.isMAC == false })
            for publish in again { harness.transport.ack(publish) }
            #expect(await poll { ids.allSatisfy { harness.state($0) == .acked } }, "\(ids.map { harness.state($0) as Any })")
        }
    }

    /// A late refusal of a MAC'd attempt, which came after the attempt that followed it went signed (the first one's
    /// ACK did not come in time), does not finish the message: the signed attempt is answered in its own right.
    @Test func aLateMACRefusalOfAnEarlierAttemptDoesNotFinishTheMessage() async throws {
        try await withHarness(key: NodeKey()) { harness in
            try await harness.learnThatEdgeTakesMACs()
            let id = try harness.accept(1, method: .cliCommand)[0]
            #expect(await harness.waitForPublishes(2))
            #expect(harness.published[1].signature?.isMAC == true)
            // No ACK in time: the retry goes signed.
            harness.clock.advance(seconds: 11)
            #expect(await poll { (try? harness.store.outboxRecord(id: id))??.lastError == "no ACK within 10 s" })
            harness.clock.advance(seconds: 2)
            #expect(await harness.waitForPublishes(3))
            #expect(harness.published[2].signature.map { !$0.isMAC } == true)
            harness.transport.refuse(harness.published[1], reason: TrustPolicy.badMAC.reason)
            await settle()
            #expect(harness.state(id)?.isFinal == false)
            harness.transport.ack(harness.published[2])
            #expect(await poll { harness.state(id) == .acked }, "\(harness.state(id) as Any)")
        }
    }

    /// A blocked lane whose probe ends without an answer (past its ttl, past its retry bound, or cancelled) probes
    /// with the next waiting message: it is not left blocked with nothing on its way.
    @Test(arguments: ["expired", "failed", "cancelled"])
    func aProbeThatEndsWithoutAnAnswerIsFollowedByTheNext(_ ending: String) async throws {
        try await withHarness(window: 4) { harness in
            var draft = Message(toNode: "edge", method: .cliCommand, methodArgs: ["echo", "probe"], ttl: ending == "expired" ? 115 : nil)
            if ending == "failed" { draft.retries = 2 }
            let probe = try harness.outbox.accept([draft])[0].id
            let rest = try harness.accept(2)
            await harness.blockUntilProbe(inFlight: 3, lastWaiting: rest[1])
            #expect(harness.published[3].id == probe)
            if ending == "cancelled" {
                #expect(harness.outbox.cancel(id: probe))
            } else {
                // No ACK to the probe in time: past its ttl, or past its bound (its attempts were counted while the
                // node was away).
                harness.clock.advance(seconds: 20)
            }
            #expect(await poll { harness.state(probe) == OutboxState(rawValue: ending) })
            #expect(await harness.waitForPublishes(5), "nothing was sent once the probe had ended \(ending)")
            #expect(harness.published[4].id == rest[0])
        }
    }

    /// A lane (alone, driven event by event) whose fill saw the generation of an accept before that accept handed
    /// its message over: the handed message, not taken in that fill (the window was full), is read from the store
    /// once there is room, not taken for nothing left to read.
    @Test func aMessageHandedAfterAFillSawItsAcceptIsSentOnceThereIsRoom() async throws {
        try await withLane(window: 1) { lane, store, transport, context in
            func accept() throws -> Lane.Handed {
                let now = context.clock.now
                let messages = try Message(toNode: "edge", method: .ping).accepted(from: "central", defaults: .standard, now: now)
                let accepted = try store.acceptEncoded(messages, now: now)[0]
                return Lane.Handed(message: accepted.outgoing, previous: accepted.previous)
            }
            let (a, b) = (try accept(), try accept())
            // b's accept counts itself in the generation, then a's wake is handled, then b's is delivered.
            lane.generation.wrappingAdd(1, ordering: .sequentiallyConsistent)
            lane.wake(handing: [a])
            lane.deliver(.wake([b]))
            #expect(transport.published.map(\.id) == [a.message.id])
            transport.ack(transport.published[0])
            #expect(await poll { transport.published.count == 2 }, "b was never sent")
            #expect(transport.published.last?.id == b.message.id)
        }
    }

    /// A message cancelled while the lane records that it goes again later (its ACK did not come in time) stays
    /// cancelled: the lane's bookkeeping does not make it unfinished again, and no lane reading the store sends it.
    @Test func aCancelRacingTheLanesRetryBookkeepingStaysCancelled() async throws {
        try await withLane(window: 4) { lane, store, transport, context in
            let messages = try Message(toNode: "edge", method: .cliCommand, methodArgs: ["echo", "x"])
                .accepted(from: "central", defaults: .standard, now: context.clock.now)
            let accepted = try store.acceptEncoded(messages, now: context.clock.now)[0]
            let id = accepted.record.id
            lane.wake(handing: [Lane.Handed(message: accepted.outgoing, previous: accepted.previous)])
            #expect(transport.published.count == 1)
            (context.clock as? TestClock)?.advance(seconds: 11)
            // Outbox.cancel commits first, then tells the lane; between the two the lane finds the ACK overdue.
            #expect(try store.cancelUnfinished(id: id, now: context.clock.now))
            lane.deliver(.probeNow)
            lane.deliver(.cancelled(id: id))
            await store.settle()
            #expect(try store.outboxRecord(id: id)?.state == .cancelled)
            let again = Lane(node: "edge", token: "again")
            again.start(context)
            again.wake()
            await settle()
            #expect(transport.published.count == 1, "the cancelled message was sent again")
        }
    }

    /// A late "in progress" from a node the lane had found gone puts the message's flight back as the lane reopens:
    /// the fill that follows sends what waited after it, not that message a second time.
    @Test func aMessageBackInFlightIsNotSentAgainByTheFillThatFollows() async throws {
        try await withHarness(window: 4) { harness in
            // Events: not drained one at a time once the node is back (commands would wait behind the first).
            let ids = try harness.accept(3)
            #expect(await harness.waitForPublishes(3))
            harness.transport.noResponders(harness.published[1])
            #expect(await poll { harness.isWaitingForNode(ids[2]) })
            harness.transport.ack(harness.published[0], status: .inProgress)
            #expect(await harness.waitForPublishes(5))
            await settle()
            #expect(harness.published[3...].map(\.id) == [ids[1], ids[2]])
        }
    }

    /// A long answer, in pieces, from a node the lane had found gone (its window dropped): all its pieces are put
    /// together, and the message is acked, as it would be in the window.
    @Test func aLateAnswerInPiecesToAMessageOutOfTheWindowIsTaken() async throws {
        try await withHarness(window: 4) { harness in
            let ids = try harness.accept(2, method: .cliCommand)
            #expect(await harness.waitForPublishes(2))
            harness.transport.noResponders(harness.published[1])
            #expect(await poll { harness.isWaitingForNode(ids[1]) })
            let reply = harness.transport.nodeKey.sign(Reply(id: ids[0], fromNode: "edge", status: .ok, exitCode: 0,
                stdout: String(repeating: "abcdefghij", count: 2000)))
            let pieces = ReplyChunk.split(reply, maxPayload: 4096)
            #expect(pieces.count > 1)
            for piece in pieces { harness.transport.answer(harness.published[0], payload: piece) }
            #expect(await poll { harness.state(ids[0]) == .acked }, "\(harness.state(ids[0]) as Any)")
            #expect((try harness.store.outboxRecord(id: ids[0]))?.reply?.stdout == reply.stdout)
        }
    }

    /// An ACK that reopens a blocked lane before the write that marks its window waiting has landed: observers last
    /// hear that the message was acked, not that it waits for its node.
    @Test func observersDoNotHearThatAnAnsweredMessageWaitsForItsNode() async throws {
        try await withHarness(window: 4) { harness in
            let heard = Mutex<[OutboxChange]>([])
            _ = harness.outbox.addObserver { event in
                if case .changed(let change) = event { heard.withLock { $0.append(change) } }
            }
            let ids = try harness.accept(2)
            #expect(await harness.waitForPublishes(2))
            harness.transport.noResponders(harness.published[1])
            harness.transport.ack(harness.published[0])
            #expect(await poll { harness.state(ids[0]) == .acked })
            await harness.store.settle()
            await settle()
            let last = heard.withLock { $0.last { $0.id == ids[0] } }
            #expect(last?.state == .acked, "observers last heard \(String(describing: last?.state))")
        }
    }

    /// An answer the lane does not believe (here unsigned) still shows that someone takes the node's messages:
    /// the lane reopens instead of probing the same message for ever, and the message waits for a believed ACK.
    @Test func aFanOutsLanesCheckTheirACKsAgainstTheKeysOfTheirOwnNodes() async throws {
        try await withHarness(window: 4) { harness in
            // The key records of a fan-out are read once for all its lanes: each must still get its own node's.
            let nodes = (0..<(Outbox.fanOutKeyRead + 36)).map { "node-\($0)" }
            let impostor = "node-7"
            for node in nodes {
                let key = node == impostor ? NodeKey().publicKey : harness.transport.nodeKey.publicKey
                _ = try harness.store.pinKey(node: node, key: key, state: .approved, at: .now)
            }
            let ids = try harness.outbox.accept([Message(toNodes: nodes, method: .ping)]).map(\.id)
            #expect(await harness.waitForPublishes(nodes.count))
            for publish in harness.published {
                harness.transport.ack(publish, from: String(publish.subject.split(separator: ".")[1]))
            }
            let refused = ids[nodes.firstIndex(of: impostor)!]
            #expect(await poll { ids.allSatisfy { $0 == refused || harness.state($0) == .acked } })
            // Signed by a key that is not node-7's: not believed.
            await settle()
            #expect(harness.state(refused) != .acked)
        }
    }

    @Test func aBlockedLaneReopensOnAnAnswerItDoesNotBelieve() async throws {
        try await withHarness(window: 4) { harness in
            let ids = try harness.accept(10)
            await harness.blockUntilProbe(inFlight: 4, lastWaiting: ids[9])
            #expect(harness.published[4].id == ids[0])
            harness.transport.ackUnsigned(harness.published[4])
            // Reopened: the rest of the window follows the probe, without waiting for another probe.
            #expect(await harness.waitForPublishes(8))
            #expect(Array(harness.published[5..<8].map(\.id)) == Array(ids[1...3]))
            #expect(harness.state(ids[0]) != .acked)
        }
    }

    @Test func commandsQueuedWhileTheNodeWasAwayRunOneAfterAnotherThenLiveOnesGoTogether() async throws {
        try await withHarness { harness in
            let ids = try harness.accept(5, method: .cliCommand)
            #expect(await harness.waitForPublishes(5))
            for publish in harness.published { harness.transport.noResponders(publish) }
            #expect(await poll { harness.isWaitingForNode(ids[4]) })
            harness.clock.advance(seconds: 100)
            #expect(await harness.waitForPublishes(6))
            // The node is back: each command goes out alone, after the previous one's ACK.
            for index in 0..<5 {
                #expect(harness.published.last?.id == ids[index])
                await settle()
                #expect(harness.published.count == 6 + index)
                harness.transport.ack(harness.published[5 + index])
                if index < 4 { #expect(await harness.waitForPublishes(7 + index)) }
            }
            #expect(await poll { ids.allSatisfy { harness.state($0) == .acked } })
            // Live commands to a node that answers are not held back.
            let live = try harness.accept(3, method: .cliCommand)
            #expect(await harness.waitForPublishes(13))
            #expect(Array(harness.published.suffix(3).map(\.id)) == live)
        }
    }

    @Test func aSequentialMessageWaitsForEverythingBeforeItEvenLive() async throws {
        try await withHarness { harness in
            let before = try harness.accept(2, method: .cliCommand)
            var draft = Message(toNode: "edge", method: .cliCommand, methodArgs: ["echo", "last"])
            draft.sequential = true
            let last = try harness.outbox.accept([draft])[0].id
            #expect(await harness.waitForPublishes(2))
            await settle()
            // The two live commands go out together; the sequential one waits for both answers.
            #expect(harness.published.map(\.id) == before)
            harness.transport.ack(harness.published[0])
            await settle()
            #expect(harness.published.count == 2)
            harness.transport.ack(harness.published[1])
            #expect(await harness.waitForPublishes(3))
            #expect(harness.published.last?.id == last)
        }
    }

    @Test func aMessageWithoutAnACKIsPublishedAgainAfterItsAckTimeoutAndBackoff() async throws {
        try await withHarness { harness in
            let ids = try harness.accept(1, method: .cliCommand)
            #expect(await harness.waitForPublishes(1))
            harness.clock.advance(seconds: 11)
            #expect(await poll { (try? harness.store.outboxRecord(id: ids[0]))??.lastError == "no ACK within 10 s" })
            harness.clock.advance(seconds: 2)
            #expect(await harness.waitForPublishes(2))
            #expect(harness.published.map(\.id) == [ids[0], ids[0]])
            harness.transport.ack(harness.published[1])
            #expect(await poll { harness.state(ids[0]) == .acked })
            #expect((try? harness.store.outboxRecord(id: ids[0]))??.attempts == 2)
        }
    }

    @Test func waitingMessagesExpireOnTimeAndTheErrorLogSaysSoOnce() async throws {
        try await withHarness { harness in
            let ids = try harness.accept(50, ttl: 300)
            #expect(await harness.waitForPublishes(16))
            harness.transport.noResponders(harness.published[0])
            #expect(await poll { harness.isWaitingForNode(ids[49]) })
            let before = harness.writes
            harness.clock.advance(seconds: 100)
            #expect(await harness.waitForPublishes(17))
            harness.transport.noResponders(harness.published[16])
            #expect(await poll { harness.writes == before + 1 })
            #expect(ids.allSatisfy { harness.state($0) == .queued })
            // Past the ttl: the next probe finds the oldest expired and settles them all, in one write.
            harness.clock.advance(seconds: 400)
            #expect(await poll { ids.allSatisfy { harness.state($0) == .expired } })
            #expect(harness.writes == before + 2)
            #expect(await poll { !ErrorReporter.entries(dataDirectory: harness.directory).isEmpty })
            await settle()
            let errors = ErrorReporter.entries(dataDirectory: harness.directory)
            #expect(errors.count == 1)
            #expect(errors.first?.error.contains("expired: ttl passed while node edge was not connected (and 49 more messages to edge)") == true)
        }
    }
}

/// Lets the tasks involved run for a moment, for checks that nothing more happens.
private func settle() async {
    for _ in 0..<20 {
        await Task.yield()
        try? await Task.sleep(for: .milliseconds(2))
    }
}

/// Polls `condition` until it holds or 10 s pass; returns whether it held.
func poll(_ condition: () -> Bool) async -> Bool {
    for _ in 0..<1000 {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return condition()
}
