import ArgumentParser
import Foundation
import Shared

/// `bosun nodes`: every node the central node knows, with its liveness.
struct NodesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nodes", abstract: "List known nodes with their liveness, approval and last-known facts.",
        subcommands: [Approve.self, Reject.self])

    @OptionGroup var options: DataDirectoryOption
    @Flag(help: "One JSON object per line, stable fields (see README).") var json = false

    func run() throws {
        let store = try options.openStore()
        let now = Timestamp.now
        let health = LinkHealth.of(
            pending: try store.outboxRecords(states: [.queued, .sending, .inProgress], limit: 100_000),
            acked: try store.outboxRecords(states: [.acked], limit: 10_000))
        for node in try store.nodes().sorted(by: { NaturalOrder.precedes($0.name, $1.name) }) {
            let liveness = Liveness(lastSeen: node.lastSeen, helloInterval: node.helloInterval, saidBye: node.saidBye, now: now)
            let hello = node.facts.flatMap { Hello.decode($0) }
            let link = health[node.name] ?? LinkHealth()
            let labels = hello?.labels ?? [:]
            if json {
                let row = NodeRow(name: node.name, state: liveness.rawValue, lastSeen: node.lastSeen, pending: link.pending,
                    oldestPendingSince: link.oldestPendingSince, roundTrip: link.roundTrip, labels: labels,
                    firstSeen: node.firstSeen, helloInterval: node.helloInterval, facts: hello,
                    trust: node.keyState?.rawValue ?? "none", keyFingerprint: node.publicKey.flatMap(NodeKey.fingerprint(of:)),
                    insecure: node.insecure)
                print(String(decoding: try JSONLines.encoder.encode(row), as: UTF8.self))
            } else {
                let seen = node.lastSeen.map { "\(Int(now.seconds(since: $0)))s ago" } ?? "never"
                let oldest = link.oldestPendingSince.map { " (oldest \(TimeText.duration(max(0, now.seconds(since: $0)))))" } ?? ""
                let roundTrip = link.roundTrip.map { "\t\(Int(($0 * 1000).rounded())) ms" } ?? "\t-"
                let reconnects = hello?.reconnects.map { "\t\($0) reconnects" } ?? "\t-"
                let labelText = labels.isEmpty ? "" : "\t" + labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
                let trust = node.keyState == .approved ? "" : "\t\(node.keyState?.rawValue ?? "no key")"
                    + (node.keyState == .pending ? " \(node.publicKey.flatMap(NodeKey.fingerprint(of:)) ?? "")" : "")
                let insecure = node.insecure ? "\tINSECURE: runs unsigned messages" : ""
                print("\(node.name)\t\(liveness.rawValue)\t\(seen)\t\(hello?.version ?? "-")\tpending \(link.pending)\(oldest)\(roundTrip)\(reconnects)\(labelText)\(trust)\(insecure)")
            }
        }
    }

    struct NodeRow: Encodable {
        var name: String
        var state: String
        var lastSeen: Timestamp?
        var pending: Int
        /// When the oldest unfinished message to the node was accepted.
        var oldestPendingSince: Timestamp?
        /// Seconds to the ACK of its latest message acked at the first attempt.
        var roundTrip: Double?
        var labels: [String: String]
        var firstSeen: Timestamp
        var helloInterval: Double?
        var facts: Hello?
        /// `approved`, `pending` (asked to join; `bosun nodes approve`), `rejected`, or `none` (no signed hello yet).
        var trust: String
        var keyFingerprint: String?
        /// The node runs unsigned messages (`--insecure-accept-unsigned`).
        var insecure: Bool
    }
}

/// `bosun messages`: the outbox, newest first (with `--mailbox jetstream`, merged with the servers' streams).
struct MessagesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "messages", abstract: "List messages in the outbox, newest first.")

    @OptionGroup var options: DataDirectoryOption
    @OptionGroup var shared: MailboxViewOptions
    @Flag(help: "One JSON object per line, stable fields (see README).") var json = false
    @Option(help: ArgumentHelp("Only this state: queued, sending, inProgress, acked, failed, expired, rejected, cancelled, sent.", valueName: "state"))
    var state: OutboxState?
    @Option(help: ArgumentHelp("Only messages to this node.", valueName: "node")) var to: String?
    @Option(help: "At most this many.") var limit = 500

    func run() async throws {
        let hasStore = shared.mailbox == .outbox || FileManager.default.fileExists(atPath: options.path + "/state.db")
        let local = hasStore ? try options.openStore().outboxRecords(node: to, states: state.map { [$0] }, limit: limit) : nil
        let records = try await shared.records(local: local)
            .filter { record in (to == nil || record.message.toNode == to) && (state == nil || record.state == state) }
            .prefix(limit)
        for record in records {
            if json {
                let row = MessageRow(id: record.id, toNode: record.message.toNode ?? "", method: record.message.method.rawValue,
                    state: record.state.rawValue, attempts: record.attempts, createdAt: record.message.createdAt,
                    updatedAt: record.updatedAt, nextAttemptAt: record.nextAttemptAt, lastError: record.lastError,
                    reply: record.reply, result: record.result, methodArgs: record.message.methodArgs ?? [])
                print(String(decoding: try JSONLines.encoder.encode(row), as: UTF8.self))
            } else {
                print("\(record.id)\t\(record.message.toNode ?? "")\t\(record.message.method)\t\(record.state.rawValue)\t\(record.attempts)\t\(record.lastError ?? "")")
            }
        }
    }

    struct MessageRow: Encodable {
        var id: String
        var toNode: String
        var method: String
        var state: String
        var attempts: Int
        var createdAt: Timestamp?
        var updatedAt: Timestamp
        var nextAttemptAt: Timestamp?
        var lastError: String?
        var reply: Reply?
        /// A result that came after the ACK (httpGet's body).
        var result: Reply?
        var methodArgs: [String]
    }
}

/// `bosun errors`: the central error log, newest first.
struct ErrorsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "errors", abstract: "Show the central error log (errors.jsonl), newest first.")

    @OptionGroup var options: DataDirectoryOption
    @Flag(help: "One JSON object per line, as in errors.jsonl.") var json = false

    func run() throws {
        for record in ErrorReporter.entries(dataDirectory: options.path).reversed() {
            if json {
                print(String(decoding: record.encoded(), as: UTF8.self))
            } else {
                print("\(record.time.rfc3339)\t\(record.node)\t\(record.kind.rawValue)\t\(record.error)")
            }
        }
    }
}

/// `bosun replay ID`: sends a message again from the journal, under a new id.
struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay", abstract: "Send a message again from the journal, under a new id (through inbox/).")

    @OptionGroup var options: DataDirectoryOption
    @Argument(help: "The id of the message to send again.") var id: String

    func run() throws {
        let directory = options.path
        let journal = try Journal(path: directory + "/journal.jsonl")
        guard var message = journal.acceptedMessage(id: id) else {
            throw ValidationError("message \(id) is not in the journal at \(directory)/journal.jsonl")
        }
        message.id = MessageID.make()
        message.createdAt = nil
        try FileSystem.makeDirectory(directory + "/inbox")
        try FileSystem.write(message.encoded(), to: directory + "/inbox/replay-\(message.id ?? "").json")
        print(message.id ?? "")
    }
}

extension OutboxState: ExpressibleByArgument {}
