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

    /// Counts one of the node's records; records come newest first, so the first acked one sets the round trip.
    mutating func add(_ record: OutboxRecord) {
        if !record.state.isFinal {
            pending += 1
            let accepted = record.message.createdAt ?? record.updatedAt
            if oldestPendingSince.map({ accepted < $0 }) ?? true { oldestPendingSince = accepted }
        } else if record.state == .acked, record.attempts == 1, roundTrip == nil,
            let accepted = record.message.createdAt
        {
            roundTrip = max(0, record.updatedAt.seconds(since: accepted))
        }
    }

    /// The health of every node that has records among `records` (newest first).
    static func of(_ records: some Sequence<OutboxRecord>) -> [String: LinkHealth] {
        var health: [String: LinkHealth] = [:]
        for record in records {
            guard let node = record.message.toNode else { continue }
            health[node, default: LinkHealth()].add(record)
        }
        return health
    }

    /// The health of every node that has messages in `pending` (unfinished) or `acked` (newest first).
    static func of(pending: [OutboxRecord], acked: [OutboxRecord]) -> [String: LinkHealth] {
        of(pending + acked)
    }
}
