import Shared

/// The latest records of messages a command follows (`bosun send`, a rollout), kept from the outbox's records and
/// changes as they come: a change heard before its record was read is kept and applied to it when it comes.
struct FollowedRecords {
    private(set) var latest: [String: OutboxRecord] = [:]
    private var early: [String: [OutboxChange]] = [:]

    subscript(id: String) -> OutboxRecord? { latest[id] }

    /// A message's whole record (read from the store, or told by the outbox): an older one than seen is ignored.
    mutating func take(_ record: OutboxRecord) {
        if let seen = latest[record.id], seen.updatedAt > record.updatedAt { return }
        latest[record.id] = (early.removeValue(forKey: record.id) ?? []).reduce(record) { $0.applying($1) }
    }

    mutating func take(_ change: OutboxChange) {
        if let seen = latest[change.id] {
            latest[change.id] = seen.applying(change)
        } else {
            early[change.id, default: []].append(change)
        }
    }
}
