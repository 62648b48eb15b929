import ArgumentParser
import Logging
import Shared

/// `bosun-agent`: the daemon on every edge node.
@main
struct AgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bosun-agent",
        abstract: "The Bosun agent: receives commands and events for this node over NATS and answers them.",
        discussion: """
            Subscribes to bosun.<node>.> and runs what arrives: cliCommand, ping, …
            It keeps trying to reach NATS until it succeeds, and reconnects by itself after an outage.
            """,
        version: BosunVersion.current)

    @OptionGroup var options: NodeOptions

    @Option(help: ArgumentHelp("Log level: trace, debug, info, notice, warning, error, critical.", valueName: "level"))
    var logLevel: Logger.Level = .info

    func run() async throws {
        let node = try options.nodeName(default: nil)
        let dataDirectory = options.dataDirectory(default: "/var/lib/bosun")
        let logger = makeLogger(node: node)

        var configuration = options.natsConfiguration(name: "bosun-agent \(node)")
        // The agent answers requests: write replies at once instead of waiting for the flusher.
        configuration.sendAsap = true
        let connectLogger = logger
        let connection = try await NATSConnection.connect(configuration, retryFor: nil) { error, wait in
            connectLogger.warning("\(error); retrying in \(Int(wait.seconds.rounded(.up))) s")
        }
        logger.info("connected", metadata: ["server": "\(connection.connectedURL ?? "")"])
        let receiver = Receiver(
            connection: connection,
            context: HandlerContext(node: node, dataDirectory: dataDirectory),
            handlers: [.cliCommand: CLICommandHandler(), .ping: PingHandler()],
            logger: logger)
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { try await receiver.run() }
            group.addTask {
                for await event in connection.events {
                    logger.notice("NATS \(event)")
                }
            }
        }
    }

    private func makeLogger(node: String) -> Logger {
        var logger = Logger(label: "bosun-agent")
        logger.logLevel = logLevel
        logger[metadataKey: "node"] = "\(node)"
        return logger
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
