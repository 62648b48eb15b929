import Shared

/// One thing `bosun watch` reports: a message's step, a node's liveness change, or an error report.
struct FleetEvent: Encodable, Sendable, Equatable {
    var time: Timestamp
    /// accepted, attempt, inProgress, acked, failed, expired, rejected, cancelled, result (a message);
    /// up, stale, down (a node); error.
    var event: String
    var id: String?
    var node: String?
    var method: String?
    var attempt: Int?
    var status: String?
    var exitCode: Int32?
    var error: String?

    /// The message steps of the journal worth a line; the receiving side's and output chunks are left out.
    static let journalEvents: Set<Journal.Entry.Event> = [
        .accepted, .attempt, .inProgress, .acked, .failed, .expired, .rejected, .cancelled, .result,
    ]
}

extension FleetEvent {
    init(_ entry: Journal.Entry) {
        self.init(
            time: entry.time, event: entry.event.rawValue, id: entry.id, node: entry.node, method: entry.method,
            attempt: entry.attempt, status: entry.reply?.status.rawValue, exitCode: entry.reply?.exitCode,
            error: entry.reply?.error ?? entry.reason)
    }

    init(_ record: ErrorRecord) {
        self.init(
            time: record.time, event: "error", id: record.messageId, node: record.node, method: record.method,
            error: record.error)
    }

    /// `14:02:31  acked       0193…  pi-1  cliCommand  exit 0`.
    func text(utcOffset: Int) -> String {
        var parts = [TimeText.clock(time, utcOffset: utcOffset), event.padding(11)]
        if let id { parts.append(id) }
        if let node { parts.append(node) }
        if let method { parts.append(method) }
        if let attempt { parts.append("attempt \(attempt)") }
        if let status, status != "ok" { parts.append(status) }
        if let exitCode { parts.append("exit \(exitCode)") }
        if let error, !error.isEmpty { parts.append(error) }
        return parts.joined(separator: "  ")
    }
}

extension String {
    fileprivate func padding(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
