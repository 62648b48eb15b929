import Shared

/// A rollout and its outcomes so far, as `bosun rollouts` and the console's Rollouts view show it.
public struct RolloutSummary: Sendable, Equatable {
    public var operation: String
    public var state: String
    public var reason: String?
    /// `uname -r` (the method and its arguments) and the target as given.
    public var command: String
    public var target: String
    /// The last stage begun: `canary`, `batch 2 of 3`.
    public var stage: String
    public var stagesBegun: Int
    public var stages: Int
    public var counts: [String: Int]
    /// Nodes whose message is not final yet.
    public var waiting: [String]
    public var notSent: [String]
    public var createdAt: Timestamp
    public var updatedAt: Timestamp

    /// Whether an operator can still pause, resume or abort it.
    public var isLive: Bool { state == RolloutRecord.State.running.rawValue || state == RolloutRecord.State.paused.rawValue }

    func count(_ kind: NodeOutcome.Kind) -> Int { counts[kind.rawValue] ?? 0 }

    /// `record`'s outcomes, each message's read through `lookup` (the outbox, by id).
    init(_ record: RolloutRecord, lookup: (String) -> OutboxRecord?) {
        var counts: [String: Int] = [:]
        var waiting: [String] = []
        for stage in record.stages.prefix(record.begun) {
            for (node, id) in zip(stage.nodes, stage.ids) {
                let outcome = NodeOutcome(node: node, id: id, record: lookup(id))
                counts[outcome.kind.rawValue, default: 0] += 1
                if outcome.kind == .waiting { waiting.append(node) }
            }
        }
        operation = record.operation
        state = record.state.rawValue
        reason = record.reason
        command = ([record.method] + record.methodArgs).joined(separator: " ")
        target = record.target
        stage = record.stages.isEmpty ? "" : record.stages[max(0, min(record.begun, record.stages.count) - 1)].name
        stagesBegun = record.begun
        stages = record.stages.count
        self.counts = counts
        self.waiting = waiting
        notSent = record.stages.dropFirst(record.begun).flatMap(\.nodes)
        createdAt = record.createdAt
        updatedAt = record.updatedAt
    }

    /// `1 ok · 2 failed · 1 waiting (n-4) · 2 not sent`.
    var outcomeText: String {
        var parts = [NodeOutcome.Kind.ok, .failed, .rejected, .expired].compactMap { kind in
            counts[kind.rawValue].map { "\($0) \(kind.rawValue)" }
        }
        if !waiting.isEmpty { parts.append("\(waiting.count) waiting (\(NodeList.compact(waiting)))") }
        if !notSent.isEmpty { parts.append("\(notSent.count) not sent") }
        return parts.joined(separator: " · ")
    }
}
