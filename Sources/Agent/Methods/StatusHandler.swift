import FoundationEssentials
import Shared

/// `status` (CommandACK), no arguments: what the agent is doing, as one JSON object in `stdout`.
struct StatusHandler: CheckedMethod {
    /// The JSON `status` answers with.
    struct Report: Codable, Sendable, Equatable {
        var node: String
        var version: String
        var startedAt: Timestamp
        var uptimeSeconds: Double
        /// Messages this node is running now (this `status` itself excluded).
        var inFlight: [String]
        /// Messages in this node's outbox by state; `pending` counts those not yet final.
        var outbox: [String: Int]
        var pending: Int
        /// Results of messages this node ran, kept so that retries get them again.
        var storedResults: Int
        var methods: [String]
        var allowedDirectories: [String]
        /// The node's parts (receiver, outbox, inputs, socket, hello, pruning) and their supervision state.
        var parts: [String: String]
        /// `--insecure-accept-unsigned`: the node runs unsigned messages from anyone.
        var insecureAcceptUnsigned: Bool
    }

    let store: Store
    let methods: [Method]
    let allowed: AllowedDirectories
    /// The node runs unsigned messages (`--insecure-accept-unsigned`).
    var insecure = false

    var spec: ArgumentSpec { ArgumentSpec(method: Method.status.rawValue) }

    func check(_ message: Message, context: HandlerContext) throws(ArgumentError) {
        _ = try spec.parse(message.methodArgs ?? [], data: message.data, methodTimeout: message.methodTimeout)
    }

    func run(_ arguments: Void, message: Message, context: HandlerContext) async -> Reply {
        do {
            let counts = try store.outboxCounts()
            let report = Report(
                node: context.node, version: BosunVersion.current, startedAt: SystemFacts.processStart,
                uptimeSeconds: Timestamp.now.seconds(since: SystemFacts.processStart),
                inFlight: try store.runningReceived().filter { $0 != message.id },
                outbox: Dictionary(uniqueKeysWithValues: counts.map { ($0.key.rawValue, $0.value) }),
                pending: counts.filter { !$0.key.isFinal }.values.reduce(0, +),
                storedResults: try store.receivedCount(), methods: methods.map(\.rawValue).sorted(),
                allowedDirectories: allowed.current, parts: context.parts(), insecureAcceptUnsigned: insecure)
            let json = String(decoding: try JSONLines.encoder.encode(report), as: UTF8.self)
            var reply = context.reply(to: message, .ok, stdout: json + "\n")
            reply.finishedAt = .now
            return reply
        } catch {
            return context.reply(to: message, .error, error: "cannot read the node's state: \(error)")
        }
    }
}
