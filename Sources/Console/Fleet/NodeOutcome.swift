import Shared

/// How one node's part of a fan-out went, as the grouped summary counts it.
struct NodeOutcome: Sendable, Equatable {
    enum Kind: String, Sendable, CaseIterable {
        /// Acked with status ok and exit code 0 (or sent, for types that ask no ACK).
        case ok
        /// Ran and failed (a non-zero exit, an error), or gave up on retries; cancelled too.
        case failed
        case rejected
        case expired
        /// Not final yet: the node is away, or the command still runs.
        case waiting
        /// Never sent: a rollout halted before its batch.
        case notSent
    }

    var node: String
    var id: String
    var kind: Kind
    var state: OutboxState?
    var reply: Reply?
    var lastError: String?
    /// The node is not connected (waiting only).
    var away: Bool

    init(node: String, id: String, record: OutboxRecord?) {
        self.node = node
        self.id = id
        state = record?.state
        reply = record?.outcome
        lastError = record?.lastError
        away = record.map(Outbox.isWaitingForNode) ?? false
        kind = Self.kind(record)
    }

    /// A node a halted rollout never sent to.
    init(notSent node: String) {
        self.node = node
        id = ""
        kind = .notSent
        away = false
    }

    private static func kind(_ record: OutboxRecord?) -> Kind {
        guard let record else { return .waiting }
        switch record.state {
        case .queued, .sending, .inProgress: return .waiting
        case .sent: return .ok
        case .rejected: return .rejected
        case .expired: return .expired
        case .failed, .cancelled: return .failed
        case .acked:
            let reply = record.outcome
            return reply?.status == .ok && (reply?.exitCode ?? 0) == 0 ? .ok : .failed
        }
    }

    /// What identical outputs share: nodes with the same key are folded into one group.
    var foldKey: String {
        switch kind {
        case .waiting: return "waiting|\(away)"
        case .notSent: return "notSent"
        case .rejected, .expired: return "\(kind)|\(reply?.error ?? lastError ?? "")"
        case .ok, .failed:
            return [
                kind.rawValue, state?.rawValue ?? "", reply?.status.rawValue ?? "",
                reply?.exitCode.map(String.init) ?? "",
                reply?.stdout ?? "", reply?.stderr ?? "", reply?.error ?? (state == .acked ? "" : lastError ?? ""),
            ]
            .joined(separator: "\u{0}")
        }
    }
}
