import ArgumentParser
import Foundation
import Shared

/// `bosun logs NODE [NAME]`: the logs a node forwarded to the central node (`<data-dir>/logs/<node>/<name>.log`).
struct LogsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logs",
        abstract: "Show the logs a node forwarded (<data-dir>/logs/<node>/<name>.log); --follow keeps printing.",
        discussion: """
            Without NAME every log of the node, each line after its name. --since keeps a file's lines from the \
            first one stamped (RFC 3339 at its start) at or after that time, with the unstamped lines that follow \
            a kept one; a file with no stamps is shown whole when it changed since then.
            """)

    @OptionGroup var options: NodeOptions
    @Argument(help: "The node.") var node: String
    @Argument(help: "The log's name (default: every log of the node).") var name: String?
    @Flag(help: "Keep printing lines as they arrive, until interrupted.") var follow = false
    @Option(help: ArgumentHelp("Only lines since then: 90s, 10m, 1h, 2d.", valueName: "span")) var since: SinceOption?
    @Flag(help: "One JSON object per line: node, name, line, and time when the line is stamped.") var json = false

    func validate() throws {
        if !NodeName.isValid(node) { throw ValidationError("NODE: \"\(node)\" is not a valid node name") }
        if let name, !NodeName.isValid(name) {
            throw ValidationError("NAME: \"\(name)\" is not a valid log name (letters, digits, - and _)")
        }
    }

    func run() async throws {
        let directory = CentralNode.dataDirectory(options) + "/logs/" + node
        let cutoff = since.map { Timestamp.now.adding(seconds: -$0.seconds) }
        var reader = LogReader(directory: directory, name: name)
        let files = reader.files()
        if files.isEmpty, !follow {
            throw ValidationError(
                name.map { "no log \($0) from \(node) (\(directory)/\($0).log)" } ?? "no logs from \(node) in \(directory)")
        }
        // Followed as the central writes the files (inotify; at least every second), or every 250 ms where the
        // directory cannot be watched (it does not exist yet, say).
        let changes = follow ? FileChanges(directory: directory, names: name.map { [$0 + ".log"] }) : nil
        let fallback = changes?.isWatching == true ? Duration.seconds(1) : .milliseconds(250)
        for (file, lines) in reader.readNew(since: cutoff) { print(lines, file: file) }
        while follow {
            if let changes { await changes.next(orAfter: fallback) }
            try Task.checkCancellation()
            for (file, lines) in reader.readNew(since: nil) { print(lines, file: file) }
        }
    }

    private func print(_ lines: [LogReader.Line], file: String) {
        for line in lines {
            if json {
                let row = LineRow(node: node, name: file, line: line.text, time: line.time)
                Swift.print(String(decoding: (try? JSONLines.encoder.encode(row)) ?? Data(), as: UTF8.self))
            } else {
                Swift.print(name == nil ? "\(file)\t\(line.text)" : line.text)
            }
        }
        fflush(nil)
    }

    struct LineRow: Encodable {
        var node: String
        var name: String
        var line: String
        var time: Timestamp?
    }
}
