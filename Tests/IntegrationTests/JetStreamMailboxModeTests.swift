import Foundation
import Shared
import Testing

/// `--mailbox jetstream` with real processes on a real three-server JetStream cluster: messages accepted by the
/// central are kept by the cluster, so they reach their node after the central machine is gone, each once, in
/// acceptance order, even when a server dies on the way.
@Suite(.serialized)
struct JetStreamMailboxModeTests {
    @Test func messagesForADownNodeRunOnceInOrderAfterTheCentralAndItsDataAreGone() async throws {
        try await withMailboxScenario(count: 500) { scenario in
            let edge = try await scenario.startEdge()
            defer { edge.stop() }
            #expect(await scenario.allArrived(edge), "\(scenario.lines().count) lines; agent log:\n\(edge.log.suffix(3000))")
            #expect(scenario.lines() == scenario.expected)

            // A second central started fresh (a new data directory) against the cluster shows all of them acked,
            // with their answers, from the servers' mailbox and results streams.
            var rows: [[String: Any]] = []
            let shown = await eventually(timeout: .seconds(60)) {
                rows = (try? await sharedMessages(scenario.cluster.urls, dataDirectory: scenario.directory + "/fresh")) ?? []
                return rows.count == scenario.count && rows.allSatisfy { outputIfAcked($0) != nil }
            }
            #expect(shown, "\(rows.count) rows, \(rows.filter { outputIfAcked($0) != nil }.count) acked ok; \(rows.prefix(2))")
            #expect(rows.reversed().map { ($0["methodArgs"] as? [String])?.first } == Array(repeating: scenario.target, count: scenario.count))
            #expect(Set(rows.compactMap { $0["id"] as? String }).count == scenario.count)

            // Restarted, the agent reads on after the last message it handled: nothing runs again.
            let last = try await withJetStreamClient(scenario.cluster.urls) { client in
                try await client.js.streamState(MailboxSubjects.mailboxStream).lastSequence
            }
            #expect(await eventually(timeout: .seconds(30)) { MailboxPlace.read(edge.dataDirectory) == last })
            edge.stop()
            try await edge.start(extraArguments: scenario.edgeArguments)
            #expect(await eventually { edge.logLines("reading the mailbox").contains { $0.contains("after=\(last)") } })
            #expect(scenario.lines() == scenario.expected)
        }
    }

    /// Messages stored without a signature (accepted for a node that takes MACs, before the central took
    /// `--mailbox jetstream`) go into the mailbox signed by the central's key, which their node checks there: no lane
    /// makes them a MAC on that way.
    @Test(.timeLimit(.minutes(2))) func messagesStoredUnsignedGoSignedIntoTheMailbox() async throws {
        try await withJetStreamServer { server in
            try await withTemporaryDirectory { directory in
                let central = AgentProcess.central(server: server.url, directory: directory)
                let edge = AgentProcess(node: "edge", server: server.url, dataDirectory: directory + "/edge")
                defer {
                    edge.stop()
                    central.stop()
                }
                try await central.start()
                try await edge.start()
                // One command answered: the central now sends edge its messages with a MAC, so stores them unsigned.
                let first = try await bosun(["send", "--to", "edge", "--", "echo", "one"], server: server.url,
                    dataDirectory: central.dataDirectory)
                #expect(first.status == 0 && first.stdout == "one\n", "\(first.stderr)")
                // Accepted after edge stopped, before the central has tried it again: stored unsigned.
                edge.stop()
                try central.write(inmsg: #"[{"toNode":"edge","method":"cliCommand","methodArgs":["echo","two"]},{"toNode":"edge","method":"cliCommand","methodArgs":["echo","three"]}]"#)
                #expect(await eventually(timeout: .seconds(30)) { ((try? await central.messages()) ?? []).count == 3 })
                central.stop()

                let watcher = try await NATSConnection.connect(NATSConfiguration(servers: [server.url]))
                let mailbox = try watcher.subscribe(MailboxSubjects.mailbox(node: "edge"))
                try await watcher.flush()
                try await central.start(extraArguments: ["--mailbox", "jetstream"])
                let centralKey = try TestFleet.centralKey(dataDirectory: central.dataDirectory)
                var words: [String] = []
                var iterator = mailbox.makeAsyncIterator()
                while words.count < 2, let stored = await iterator.next() {
                    let message = try Message.decode(stored.payload)
                    let subject = try #require(message.subject).description
                    let signature = try #require(stored.signature, "\(message.methodArgs ?? []) went into the mailbox unsigned")
                    #expect(signature.key == centralKey.publicKey && !signature.isMAC)
                    #expect(signature.verifies(subject: subject, payload: stored.payload))
                    words.append(message.methodArgs?.last ?? "")
                }
                #expect(words == ["two", "three"])
                mailbox.unsubscribe()
                await watcher.close()
            }
        }
    }

    @Test func aServerKilledWhileTheMailboxStreamsToAnAgentLosesNoneAndRunsNoneTwice() async throws {
        try await withMailboxScenario(count: 1000) { scenario in
            let edge = try await scenario.startEdge()
            defer { edge.stop() }
            #expect(await eventually(timeout: .seconds(60)) { scenario.lines().count >= 100 })
            // The server the agent is on dies with its disk's copy; the agent moves to a survivor.
            let victim = try #require(scenario.cluster.servers.first { server in
                edge.logLines("connected to NATS").contains { words in
                    words.contains { $0.hasPrefix("server=") && $0.hasSuffix("127.0.0.1:\(server.port)") }
                }
            }, "\(edge.logLines("connected to NATS"))")
            victim.stop(signal: SIGKILL)
            #expect(await scenario.allArrived(edge), "\(scenario.lines().count) lines; agent log:\n\(edge.log.suffix(3000))")
            // Each exactly once. (Not necessarily in order: handovers lost with the server are made again after
            // the ones that followed them; see docs/nats.md.)
            let lines = scenario.lines()
            #expect(lines.count == scenario.count)
            #expect(Set(lines) == Set(scenario.expected))
        }
    }
}

/// A central that accepted `count` `fileAppend`s (`0\n`, `1\n`, …) for node `edge` while it was down, and then
/// was killed and its data directory deleted: what is left of them is in the cluster's mailbox stream.
struct MailboxScenario {
    let cluster: JetStreamCluster
    let directory: String
    let count: Int
    /// The lost central node's key: the agent was set up to trust it before the machine was lost.
    let centralKey: String
    var allowed: String { directory + "/out" }
    var target: String { allowed + "/lines.txt" }
    var expected: [String] { (0..<count).map(String.init) }
    var edgeArguments: [String] { ["--mailbox", "jetstream", "--allow-dir", allowed, "--trust", centralKey] }

    func lines() -> [String] {
        ((try? String(contentsOfFile: target, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    func startEdge() async throws -> AgentProcess {
        let edge = AgentProcess(node: "edge", server: cluster.urls, dataDirectory: directory + "/edge")
        edge.fleetTrust = false
        try await edge.start(extraArguments: edgeArguments)
        return edge
    }

    func allArrived(_ edge: AgentProcess) async -> Bool {
        await eventually(timeout: .seconds(120)) { lines().count >= count }
    }
}

/// With `batch`, the central accepts those messages (JSON objects) instead of the `fileAppend`s.
func withMailboxScenario(
    count: Int, batch: ((MailboxScenario) -> [String])? = nil, _ body: (MailboxScenario) async throws -> Void
) async throws {
    try await withJetStreamCluster { cluster in
        try await withTemporaryDirectory { directory in
            let central = AgentProcess.central(server: cluster.urls, directory: directory)
            let scenario = MailboxScenario(
                cluster: cluster, directory: directory, count: count,
                centralKey: try TestFleet.centralKey(dataDirectory: central.dataDirectory).publicKey)
            try FileManager.default.createDirectory(atPath: scenario.allowed, withIntermediateDirectories: true)
            defer { central.stop(signal: SIGKILL) }
            try await central.start(extraArguments: ["--mailbox", "jetstream"])
            let messages = batch?(scenario) ?? (0..<count).map {
                #"{"toNode":"edge","method":"fileAppend","methodArgs":["\#(scenario.target)"],"data":"\#($0)\n"}"#
            }
            try central.write(inmsg: "[" + messages.joined(separator: ",") + "]")
            // Safe once the cluster has them all: then the central machine is lost, with its data.
            let stored = try await withJetStreamClient(cluster.urls) { client in
                await eventually(timeout: .seconds(60)) {
                    (try? await client.js.streamState(MailboxSubjects.mailboxStream).messages) == UInt64(messages.count)
                }
            }
            #expect(stored, "the mailbox stream did not get all \(messages.count) messages:\n\(central.log.suffix(3000))")
            central.stop(signal: SIGKILL)
            try FileManager.default.removeItem(atPath: central.dataDirectory)
            try await body(scenario)
        }
    }
}

extension AgentProcess {
    /// The log lines saying `text`, each as its space-separated words (so `after=12` does not match `after=123`).
    func logLines(_ text: String) -> [[String]] {
        log.split(separator: "\n").filter { $0.contains(text) }.map { $0.split(separator: " ").map(String.init) }
    }
}

/// The place an agent keeps in its mailbox (`<data-dir>/mailbox.db`), read through the store.
enum MailboxPlace {
    static func read(_ dataDirectory: String) -> UInt64? {
        try? MailboxPlaceStore(path: dataDirectory + "/mailbox.db").place(stream: MailboxSubjects.mailboxStream)
    }
}
