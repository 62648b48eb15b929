import Shared

/// How a node's link looks from the central's outbox: its backlog, how long the oldest waiting message has
/// waited, and the round trip of its latest message answered at the first attempt.
struct LinkHealth: Sendable, Equatable {
    /// Messages to the node not final yet.
    var pending = 0
    /// When the oldest of them was accepted.
    var oldestPendingSince: Timestamp?
    /// Seconds from acceptance to the ACK of the node's latest message acked at its first attempt (no time
    /// queued in it, so it is the link's round trip plus the method's run time: a ping's is the link's alone).
    var roundTrip: Double?

    /// The health of every node that has messages in `pending` (unfinished) or `acked` (newest first).
    static func of(pending: [OutboxRecord], acked: [OutboxRecord]) -> [String: LinkHealth] {
        var health: [String: LinkHealth] = [:]
        for record in pending {
            guard let node = record.message.toNode else { continue }
            health[node, default: LinkHealth()].pending += 1
            let accepted = record.message.createdAt ?? record.updatedAt
            if let oldest = health[node]?.oldestPendingSince, oldest <= accepted { continue }
            health[node]?.oldestPendingSince = accepted
        }
        for record in acked where record.attempts == 1 {
            guard let node = record.message.toNode, health[node]?.roundTrip == nil,
                let accepted = record.message.createdAt
            else { continue }
            health[node, default: LinkHealth()].roundTrip = max(0, record.updatedAt.seconds(since: accepted))
        }
        return health
    }
}
