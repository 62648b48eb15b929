import Foundation
import Shared

/// The one line `bosun send` keeps on stderr while a node is away.
///
/// On a terminal it is rewritten in place each second (the countdown moves) and erased at the end; elsewhere
/// (a log, a pipe) it is written once, when the wait for a node begins, so a script's log gets one line, not one
/// a second.
final class WaitProgress {
    private let isTerminal: Bool
    private let utcOffset: Int
    private var shown = false
    private var written = false

    init(isTerminal: Bool = isatty(2) != 0, utcOffset: Int = TimeZone.current.secondsFromGMT()) {
        self.isTerminal = isTerminal
        self.utcOffset = utcOffset
    }

    /// Shows the line for `records`, or takes it away when none of them waits for its node.
    func update(_ records: [OutboxRecord], lastSeen: (String) -> Timestamp?) {
        let line = Self.line(records, lastSeen: lastSeen, now: .now, utcOffset: utcOffset)
        if isTerminal {
            guard let line else { return clear() }
            // One screen line: a longer one would wrap, and the next rewrite would leave its first part behind.
            FileHandle.standardError.write("\r\u{1B}[K" + DisplayWidth.truncate(line, to: Self.terminalColumns() - 1))
            shown = true
        } else if let line, !written {
            FileHandle.standardError.write(line + "\n")
            written = true
        }
    }

    /// The width of the terminal on stderr; 80 when it cannot be told.
    static func terminalColumns() -> Int {
        var size = winsize()
        guard ioctl(2, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return 80 }
        return Int(size.ws_col)
    }

    /// Erases the line from the terminal, so what follows starts on a clean line.
    func clear() {
        guard shown else { return }
        FileHandle.standardError.write("\r\u{1B}[K")
        shown = false
    }

    /// `bosun: waiting for edge: not connected since 14:02:31 · attempt 3 · next try in 4s · Ctrl-C leaves
    /// message 0193… queued`; nil when no record waits for its node. `lastSeen` gives a node's last hello.
    static func line(
        _ records: [OutboxRecord], lastSeen: (String) -> Timestamp?, now: Timestamp, utcOffset: Int
    ) -> String? {
        let waiting = records.filter(Outbox.isWaitingForNode)
        guard !waiting.isEmpty else { return nil }
        let nodes = waiting.map { $0.message.toNode ?? "" }
        // Away since its last hello; a node never seen has been away since the message was accepted.
        let since = waiting.map { lastSeen($0.message.toNode ?? "") ?? $0.message.createdAt ?? $0.updatedAt }.min()!
        let attempts = waiting.map(\.attempts).max() ?? 0
        var parts = [
            waiting.count == 1
                ? "waiting for \(nodes[0]): not connected since \(TimeText.clock(since, utcOffset: utcOffset))"
                : "waiting for \(waiting.count) nodes not connected since \(TimeText.clock(since, utcOffset: utcOffset)): "
                    + NodeList.compact(nodes),
            "attempt \(attempts)",
        ]
        // A blocked lane probes with backoff, and at once when the node says hello; the engine gives the time
        // of the next probe when it has planned one.
        if let next = waiting.compactMap(\.nextAttemptAt).min() {
            parts.append("next try in \(TimeText.duration(max(0, next.seconds(since: now).rounded(.up))))")
        } else {
            parts.append("next try at its hello or after a backoff")
        }
        parts.append(
            records.count == 1
                ? "Ctrl-C leaves message \(records[0].id) queued" : "Ctrl-C leaves the messages queued")
        return "bosun: " + parts.joined(separator: " · ")
    }
}
