import Shared

/// Everything that can change the console's state; all of it reaches the UI loop through one queue.
public enum ConsoleEvent: Sendable {
    case key(Key)
    /// The terminal's new size in cells.
    case resize(cols: Int, rows: Int)
    /// The clock moved on (once a second): ages and the flash line depend on it.
    case tick(Timestamp)
    /// The latest known nodes, outbox records and central error log entries, each replacing the previous set.
    case snapshot(nodes: [NodeRecord], messages: [OutboxRecord], errors: [ErrorRecord])
    /// The latest metrics of each node that sends them, replacing the previous set.
    case metrics([String: NodeMetrics])
    /// The rollouts `bosun send` carries or carried, newest first, replacing the previous list.
    case rollouts([RolloutSummary])
    /// How many `bosun send --at` batches wait for their time in `<data-dir>/scheduled/`.
    case scheduled(Int)
    /// New lines of the followed node's logs; `reset` replaces what was shown (the first read).
    case logLines(node: String, lines: [LogLine], reset: Bool)
    /// The NATS connection's state, as a word: `connected`, `reconnecting`, `disconnected`.
    case connection(String)
    /// A one-line notice shown for a few seconds.
    case flash(String)
    /// A one-line notice about something that went wrong, shown for a few seconds.
    case flashError(String)
    /// The process is asked to stop (SIGTERM): leave at once, whatever the compose bar holds.
    case terminate
}
