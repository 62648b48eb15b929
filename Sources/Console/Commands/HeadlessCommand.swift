import ArgumentParser
import Logging
import Shared

/// `bosun --headless` and `bosun serve`: the central node's engine without a screen.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the central node's engine without the console (the same as bosun --headless).",
        discussion: """
            Receives hellos, error reports and logs; delivers everything in the outbox, resuming unfinished
            messages oldest first; takes messages from <data-dir>/inmsg.txt and <data-dir>/inbox/.
            SIGTERM or SIGINT stops it; unfinished messages resume on the next start.
            """)

    @OptionGroup var options: NodeOptions

    @Option(help: ArgumentHelp("Log level: trace, debug, info, notice, warning, error, critical.", valueName: "level"))
    var logLevel: Logger.Level = .info

    func run() async throws {
        let configuration = try CentralNode.configuration(options, name: "bosun")
        let logger = CentralNode.logger(level: logLevel)
        try await withCancellationOnSignals {
            let runtime = try await CentralNode.start(configuration, connectFor: nil, logger: logger)
            try await CentralNode.run(runtime, logger: logger)
            await runtime.connection.close()
        }
    }
}
