import ArgumentParser
import Logging
import ServiceLifecycle
import Shared

/// `bosun-agent`: the daemon on every edge node.
@main
struct AgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bosun-agent",
        abstract: "The Bosun agent: receives commands and events for this node over NATS and answers them.",
        discussion: """
            Subscribes to bosun.<node>.> and runs what arrives (cliCommand, ping, status, fileRead, fileWrite, \
            fileAppend), each message exactly once. Every argument is checked before anything runs. Sends a hello \
            to the central node every --hello-interval seconds, and a bye when stopped. Messages written to \
            <data-dir>/inmsg.txt, dropped in <data-dir>/inbox/ or written to the unix socket <data-dir>/bosun.sock \
            are sent with guaranteed delivery. It keeps trying to reach NATS until it succeeds, and reconnects by \
            itself after an outage.

            SIGTERM or SIGINT: stop taking work, say bye, exit 0. SIGHUP: read the configuration file again; \
            allowDirs takes effect at once, the other keys at the next start.

            Defaults not shown below: --node is required (or BOSUN_NODE, or "node" in the file); --data-dir \
            /var/lib/bosun; --config <data-dir>/agent.json, used when it exists; no --allow-dir (file methods \
            refuse every path); no --creds, --nkey or --tls-*: plain NATS.

            Configuration file: one JSON object, every key optional; an unknown key is an error. Flags and BOSUN_* \
            variables win over it; --allow-dir adds to allowDirs. Example:
              {"node": "pi-garage", "server": "nats://hub.lan:4222", "central": "central",
               "helloInterval": 10, "logLevel": "info", "allowDirs": ["/srv/drop"]}
            """,
        version: BosunVersion.current)

    @OptionGroup var options: NodeOptions

    static func main() async {
        // Before any thread starts, so the agent's threads share two malloc arenas instead of one each.
        MallocTuning.limitArenas(to: 2)
        StartupPages.openNATS()
        await main(nil)
    }

    @Option(
        name: .customLong("config"),
        help: ArgumentHelp(
            "Configuration file (JSON). Env: BOSUN_CONFIG. Default: <data-dir>/agent.json if it exists.",
            valueName: "file"))
    var configFile: String?

    @Option(
        name: .customLong("allow-dir"),
        help: ArgumentHelp(
            "A directory fileRead, fileWrite and fileAppend may use (repeatable; adds to allowDirs). Default: none.",
            valueName: "dir"))
    var allowDirectories: [String] = []

    @Flag(name: .customLong("allow-insecure-tls"), help: "Let httpGet --insecure skip the server certificate check (or allowInsecureTLS in the file). Default: off.")
    var allowInsecureTLS = false

    @Option(
        help: ArgumentHelp(
            "Seconds between hellos to the central node, jittered ±20% (default 10).", valueName: "seconds"))
    var helloInterval: Double?

    @Option(
        help: ArgumentHelp(
            "Log level: trace, debug, info, notice, warning, error, critical (default info).", valueName: "level"))
    var logLevel: Logger.Level?

    @Option(help: ArgumentHelp(
        "Simulate this many nodes in this process instead of being one (for benchmarks; see --node-prefix).",
        valueName: "n"))
    var swarm: Int?

    @Option(help: ArgumentHelp(
        "On SIGTERM, seconds to let running messages finish before stopping (default 30); a second SIGTERM stops at once.",
        valueName: "seconds"))
    var stopGrace: Double = 30

    @Option(help: ArgumentHelp(
        "Seconds between metrics samples sent to the central node (default 10, or metricsInterval in agent.json); 0 sends none.",
        valueName: "seconds"))
    var metricsInterval: Double?

    @Option(help: ArgumentHelp(
        "Filesystems (mount points, comma-separated) whose use the metrics report. Default: metricsMounts in agent.json, or / and the data directory's.",
        valueName: "paths"))
    var metricsMounts: String?

    @Option(help: ArgumentHelp("Name prefix of simulated nodes: sim-0, sim-1, … (default sim-).", valueName: "prefix"))
    var nodePrefix = "sim-"

    @Flag(help: "Make a new signing key at this start (give it once): the hellos carry the old key's endorsement, so the central node takes the new key without alarm.")
    var rotateKey = false

    func validate() throws {
        if let swarm, swarm < 1 { throw ValidationError("--swarm: must be at least 1, got \(swarm)") }
        if !NodeName.isValid(nodePrefix + "0") { throw ValidationError("--node-prefix: \"\(nodePrefix)\" makes invalid node names") }
        if let metricsInterval, !metricsInterval.isFinite || metricsInterval < 0 {
            throw ValidationError("--metrics-interval: must be 0 (off) or a positive number of seconds, got \(metricsInterval)")
        }
        for mount in metricsMountList ?? [] where !mount.hasPrefix("/") {
            throw ValidationError("--metrics-mounts: \"\(mount)\" is not an absolute path")
        }
        for directory in allowDirectories where !directory.hasPrefix("/") {
            throw ValidationError("--allow-dir: \"\(directory)\" is not an absolute path")
        }
    }

    func run() async throws {
        if let swarm {
            let logger = makeLogger(node: nodePrefix + "*", level: logLevel ?? .info)
            let simulated = Swarm(
                count: swarm, prefix: nodePrefix, central: options.central,
                helloInterval: helloInterval ?? LivenessDefaults.helloInterval, metricsInterval: metricsInterval ?? 0,
                nats: options.natsConfiguration(name: "bosun-agent swarm \(nodePrefix)"), logger: logger)
            try await NodeService.runUntilSignalled([PartService("swarm") { try await simulated.run() }], logger: logger)
            return
        }
        let dataDirectory = options.dataDirectory(default: "/var/lib/bosun")
        let named = configFile ?? Environment.value("BOSUN_CONFIG")
        let reloader = ConfigReloader(
            path: named ?? dataDirectory + "/agent.json", required: named != nil,
            flagDirectories: allowDirectories, allowed: AllowedDirectories())
        let file = try reloader.load()
        reloader.allowed.replace(with: reloader.directories(file))

        var options = options
        options.server = options.server ?? Environment.value("BOSUN_SERVER") ?? file.server
        if options.central == Wire.centralNode, let central = file.central { options.central = central }
        let node = try options.nodeName(default: file.node)
        var configuration = NodeRuntime.Configuration(
            node: node, dataDirectory: dataDirectory, nats: options.natsConfiguration(name: "bosun-agent \(node)"))
        // The agent answers requests: write replies at once instead of waiting for the flusher.
        configuration.nats.sendAsap = true
        configuration.nats.inboxPrefix = NATSConfiguration.inboxPrefix(for: node)
        try options.configure(&configuration)
        configuration.rotateKey = rotateKey
        configuration.labels = file.labels
        configuration.helloInterval =
            node == options.central ? nil : helloInterval ?? file.helloInterval ?? LivenessDefaults.helloInterval
        let logger = makeLogger(node: node, level: logLevel ?? file.logLevel ?? .info)
        let frozen = configuration
        let grace = Duration.seconds(stopGrace)
        let http = HTTPGetHandler(transfers: HTTPTransfers(), allowInsecureTLS: allowInsecureTLS || file.allowInsecureTLS)
        let hangups = await HangupReloads.trap()
        let agent = NodeService(logger: logger) {
            try await NodeRuntime(configuration: frozen, connectFor: nil, logger: logger) { store, errors in
                AgentMethods.handlers(
                    configuration: frozen, store: store, errors: errors, allowed: reloader.allowed, http: http)
            }
        } beside: { runtime in
            var parts: [ServiceGroupConfiguration.ServiceConfiguration] = []
            if let reporter = metricsReporter(
                node: node, central: frozen.centralNode, file: file, runtime: runtime, logger: logger) {
                parts.append(runtime.supervisor.service("metrics", essential: false) { try await reporter.run() })
            }
            let reloads = HangupReloads(signals: hangups, runtime: runtime, reloader: reloader, logger: logger)
            parts.append(.init(service: reloads, successTerminationBehavior: .ignore, serviceName: "SIGHUP"))
            // Once the parts have started, what only start-up used goes back (see StartupPages).
            let settled = StartupPages.service()
            parts.append(.init(service: settled, successTerminationBehavior: .ignore, serviceName: "\(settled)"))
            let stop = StopGrace(runtime: runtime, transfers: http.transfers, grace: grace)
            parts.append(.init(service: stop, successTerminationBehavior: .ignore, serviceName: "stop grace"))
            return parts
        }
        try await NodeService.runUntilSignalled([agent], logger: logger)
        logger.info("stopped")
    }

    private func makeLogger(node: String, level: Logger.Level) -> Logger {
        var logger = Logger(label: "bosun-agent")
        logger.logLevel = level
        logger[metadataKey: "node"] = "\(node)"
        return logger
    }
}
