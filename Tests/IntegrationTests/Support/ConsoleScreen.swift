import Foundation

/// The console's screen as a person reads it, from a tmux capture.
struct ConsoleScreen {
    let text: String

    /// The rows, top to bottom (tmux ends the capture with a newline, which adds no row).
    var lines: [String] {
        var rows = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if rows.last == "" { rows.removeLast() }
        return rows
    }

    /// The liveness word on `node`'s row of the Nodes pane (`up`, `stale`, `down`), if the row shows.
    func node(_ node: String) -> String? {
        firstCapture("\(node) +[●◐○] (up|stale|down)")
    }

    /// The state words of the Messages pane's rows to `node` with `method`, newest first.
    func messages(to node: String, method: String = "cliCommand") -> [String] {
        allCaptures("[0-9a-f]{6} \(node) +\(method) +[◌…⧗✓✗] ?(\\w+)")
    }

    private func firstCapture(_ pattern: String) -> String? { allCaptures(pattern).first }

    private func allCaptures(_ pattern: String) -> [String] {
        guard let regex = try? Regex(pattern) else { return [] }
        return lines.compactMap { line in
            guard let match = line.firstMatch(of: regex), match.output.count > 1 else { return nil }
            return match.output[1].substring.map(String.init)
        }
    }
}

/// Drives the console running in `tmux`: waits for what should appear, and saves screenshots when
/// `BOSUN_SCREENSHOTS` names a directory (`make screenshots`).
struct ConsoleDriver {
    let tmux: TmuxSession
    /// Shown when a wait fails, with the last screen.
    let logPath: String

    /// Polls the screen until `condition` holds; fails naming `what`, with the last screen and the console's log.
    @discardableResult
    func waitFor(_ what: String, timeout: Duration = .seconds(20), _ condition: (ConsoleScreen) -> Bool)
        async throws -> ConsoleScreen
    {
        var last = ConsoleScreen(text: "")
        let held = try await eventually(timeout: timeout, interval: .milliseconds(100)) {
            last = ConsoleScreen(text: try await tmux.screen())
            return condition(last)
        }
        guard held else {
            let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            throw TestFailure("the console never showed \(what); last screen:\n\(last.text)\nconsole.log:\n\(log)")
        }
        return last
    }

    /// Saves the screen as `<name>.ans` (with colours) and `<name>.txt` when screenshots are asked for.
    func shoot(_ name: String) async throws {
        guard let directory = ProcessInfo.processInfo.environment["BOSUN_SCREENSHOTS"], !directory.isEmpty else { return }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try await tmux.screen(escapes: true).write(toFile: "\(directory)/\(name).ans", atomically: true, encoding: .utf8)
        try await tmux.screen().write(toFile: "\(directory)/\(name).txt", atomically: true, encoding: .utf8)
    }

    /// Opens the compose bar, clears what it was prefilled with, types `line` and sends it.
    func compose(_ line: String) async throws {
        try await tmux.press("c", "C-u")
        try await tmux.type(line)
        try await tmux.press("Enter")
    }
}
