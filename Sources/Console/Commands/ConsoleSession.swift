import ArgumentParser
import Logging
import Shared

/// How the console looks: the flags `bosun` and `bosun demo` share.
struct ConsoleFlags: ParsableArguments {
    @Flag(help: "Attributes only, no colours (also when NO_COLOR is set).")
    var noColor = false

    @Flag(help: "Plain ASCII glyphs instead of ● ◐ ○ ✓ ✗ and box lines.")
    var ascii = false
}

/// `bosun` on a terminal: the central node's engine and the console on one screen.
///
/// The engine runs exactly as `bosun --headless` does; the console sees it through a ``ConsoleFeed`` (outbox
/// changes, hellos, byes and error reports, as they happen) and acts on it through a ``ConsoleEngine``. While
/// the screen is up, stderr (the engine's log) goes to `<data-dir>/console.log`; the compose history is kept in
/// `<data-dir>/history`.
enum ConsoleSession {
    static func run(_ options: NodeOptions, flags: ConsoleFlags, metrics: MetricsAddress? = nil) async throws {
        let configuration = try CentralNode.configuration(options, name: "bosun console")
        let directory = configuration.dataDirectory
        try FileSystem.makeDirectory(directory)
        let history = HistoryFile(dataDirectory: directory)
        var consoleOptions = ConsoleOptions(
            serverURL: configuration.nats.displayServers, ascii: flags.ascii,
            noColor: flags.noColor || ConsoleOptions.noColorFromEnvironment, history: history.load())
        consoleOptions.groups = NodeGroups.loadKeepingProblem(dataDirectory: directory)
        let app = ConsoleApp(consoleOptions)
        let (handled, handledSink) = AsyncStream.makeStream(of: Message.self)
        let runtime = try await CentralNode.start(
            configuration, connectFor: nil, logger: CentralNode.logger(level: .info),
            observe: { handledSink.yield($0) })
        let connection = runtime.connection
        let feed = ConsoleFeed(
            store: runtime.store, dataDirectory: directory, isConnected: { connection.isConnected },
            post: { app.post($0) })
        let token = runtime.outbox.addObserver { feed.outboxChanged($0) }
        defer { runtime.outbox.removeObserver(token) }
        try feed.load()
        let logs = LogFollower(dataDirectory: directory, post: { app.post($0) })
        let engine = ConsoleEngine(runtime: runtime, post: { app.post($0) }, logs: logs)
        try await StandardErrorRedirect.with(logFile: directory + "/console.log") {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await CentralNode.run(runtime, logger: CentralNode.logger(level: .info)) }
                group.addTask { await feed.run() }
                if runtime.mailbox != nil {
                    group.addTask {
                        await SharedHistory.follow(runtime.connection, into: feed) { app.post(.flashError($0)) }
                    }
                }
                group.addTask { await ControlInbox(runtime: runtime).run() }
                group.addTask { await ScheduledSends(dataDirectory: directory).run() }
                if let metrics {
                    group.addTask {
                        do {
                            try await MetricsEndpoint.run(metrics, runtime: runtime)
                        } catch is CancellationError {
                        } catch {
                            // A listening error names the option itself.
                            app.post(.flashError((error as? TargetError)?.description ?? "--metrics \(metrics): \(error)"))
                        }
                    }
                }
                group.addTask { await logs.run() }
                group.addTask {
                    for await message in handled { feed.handled(message) }
                }
                try await app.run(onAction: { await engine.perform($0) }, onHistory: { history.save($0) })
                handledSink.finish()
                group.cancelAll()
                try await group.waitForAll()
            }
        }
        await runtime.connection.close()
    }
}
