import ArgumentParser
import Logging
import ServiceLifecycle
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

    @OptionGroup var metrics: MetricsOption

    func run() async throws {
        let configuration = try CentralNode.configuration(options, name: "bosun")
        let logger = CentralNode.logger(level: logLevel)
        let metricsAddress = try metrics.address()
        let engine = NodeService(logger: logger) {
            try await CentralNode.start(configuration, connectFor: nil, logger: logger)
        } beside: { runtime in
            var parts = try CentralNode.alerts(runtime, logger: logger)
            // bosun cancel and bosun retry reach this engine through <data-dir>/control/.
            parts.append(.init(service: PartService("control inbox") { await ControlInbox(runtime: runtime).run() }))
            // Once the parts have started, what only start-up used goes back (see StartupPages).
            let settled = StartupPages.service()
            parts.append(.init(service: settled, successTerminationBehavior: .ignore, serviceName: "\(settled)"))
            parts.append(
                .init(service: PartService("scheduled sends") {
                    await ScheduledSends(dataDirectory: runtime.configuration.dataDirectory).run()
                }))
            if let metricsAddress {
                // A metrics endpoint that cannot listen ends the engine with its error.
                parts.append(.init(service: PartService("metrics") {
                    try await MetricsEndpoint.run(metricsAddress, runtime: runtime)
                }))
                logger.info("metrics", metadata: ["url": "http://\(metricsAddress)/metrics"])
            }
            return parts
        }
        try await NodeService.runUntilSignalled([engine], logger: logger)
    }
}
