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
            Subscribes to bosun.<node>.> and runs what arrives (cliCommand, ping, …), each message exactly once.
            Sends a hello to the central node every --hello-interval seconds, and a bye when stopped.
            Messages written to <data-dir>/inmsg.txt or dropped in <data-dir>/inbox/ are sent with guaranteed delivery.
            It keeps trying to reach NATS until it succeeds, and reconnects by itself after an outage.
            SIGTERM or SIGINT: stop taking work, say bye, exit 0.
            """,
        version: BosunVersion.current)

    @OptionGroup var options: NodeOptions

    @Option(help: ArgumentHelp("Seconds between hellos to the central node, jittered ±20%.", valueName: "seconds"))
    var helloInterval: Double = LivenessDefaults.helloInterval

    @Option(help: ArgumentHelp("Log level: trace, debug, info, notice, warning, error, critical.", valueName: "level"))
    var logLevel: Logger.Level = .info

    func run() async throws {
        let node = try options.nodeName(default: nil)
        var configuration = NodeRuntime.Configuration(
            node: node, dataDirectory: options.dataDirectory(default: "/var/lib/bosun"),
            nats: options.natsConfiguration(name: "bosun-agent \(node)"))
        // The agent answers requests: write replies at once instead of waiting for the flusher.
        configuration.nats.sendAsap = true
        try options.configure(&configuration)
        configuration.helloInterval = node == options.central ? nil : helloInterval
        let logger = makeLogger(node: node)
        let frozen = configuration
        try await withCancellationOnSignals {
            let runtime = try await NodeRuntime(configuration: frozen, connectFor: nil, logger: logger) { store, errors in
                var handlers: [Method: any MethodHandler] = [
                    .cliCommand: CLICommandHandler(), .ping: PingHandler(), .httpGet: HTTPGetHandler(),
                ]
                if frozen.node == frozen.centralNode {
                    handlers.merge(CentralHandlers.make(store: store, errors: errors)) { $1 }
                }
                return handlers
            }
            try await runtime.run()
            await runtime.connection.close()
            logger.info("stopped")
        }
    }

    private func makeLogger(node: String) -> Logger {
        var logger = Logger(label: "bosun-agent")
        logger.logLevel = logLevel
        logger[metadataKey: "node"] = "\(node)"
        return logger
    }
}

