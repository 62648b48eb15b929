import ArgumentParser
import Foundation
import Shared

/// `bosun watch`: the fleet's events as they happen, for scripts and other tools.
struct WatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Follow the fleet: messages accepted, acked, failed…, nodes up, stale, down, errors.",
        discussion: """
            Reads the central's data directory (journal.jsonl, errors.jsonl, the node registry) while an engine
            (the console or bosun --headless) runs on it, and prints each new event on a line, until Ctrl-C. It
            starts with each known node's state (up, stale, down), then only what changes.
            Events: accepted, attempt, inProgress, acked, failed, expired, rejected, cancelled, result (a message);
            up, stale, down (a node's liveness); error (the central error log).
            """)

    @OptionGroup var options: DataDirectoryOption
    @Flag(help: "One JSON object per event: time, event, id, node, method, attempt, status, exitCode, error.")
    var json = false

    func run() async throws {
        var watcher = FleetWatcher(dataDirectory: options.path, openStore: options.openStore)
        let offset = TimeZone.current.secondsFromGMT()
        // Read again as soon as the engine writes its journal, error log or store, and at least every second (a
        // node's liveness changes with time alone).
        let changes = FileChanges(
            directory: options.path, names: ["journal.jsonl", "errors.jsonl", "state.db-wal"])
        let fallback = changes.isWatching ? Duration.seconds(1) : .milliseconds(200)
        while !Task.isCancelled {
            for event in watcher.poll() {
                let line =
                    json
                    ? String(decoding: try JSONLines.encoder.encode(event), as: UTF8.self)
                    : event.text(utcOffset: offset)
                // Unbuffered: a script reading the pipe sees each event when it happens.
                FileHandle.standardOutput.write(line + "\n")
            }
            await changes.next(orAfter: fallback)
        }
    }
}
