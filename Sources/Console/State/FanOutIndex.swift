import Shared

/// The fan-outs among the outbox's messages: copies of one message to several nodes, accepted together (one
/// acceptance time, consecutive in the outbox, same method, arguments and data). Worked out once per snapshot;
/// the Messages pane shows each fan-out as one row, its lead's (the first accepted).
public struct FanOutIndex: Sendable, Equatable {
    /// Each fan-out's messages in acceptance order, by the lead's id.
    var members: [String: [OutboxRecord]] = [:]
    /// The other members' ids: the rows folded into their lead's.
    var followers: Set<String> = []

    var isEmpty: Bool { members.isEmpty }

    public init() {}

    /// Finds the fan-outs in `messages`, newest first.
    init(_ messages: [OutboxRecord]) {
        var start = messages.startIndex
        while start < messages.endIndex {
            var end = start + 1
            while end < messages.endIndex, Self.together(messages[end - 1], messages[end]) { end += 1 }
            if end - start > 1 {
                let run = messages[start..<end].reversed()
                members[run.first!.id] = Array(run)
                for record in run.dropFirst() { followers.insert(record.id) }
            }
            start = end
        }
    }

    /// Whether two neighbouring records are copies of one message to different nodes.
    private static func together(_ a: OutboxRecord, _ b: OutboxRecord) -> Bool {
        guard let time = a.message.createdAt, time == b.message.createdAt else { return false }
        return a.message.toNode != b.message.toNode && a.message.method == b.message.method
            && a.message.methodArgs == b.message.methodArgs && a.message.data == b.message.data
    }
}
