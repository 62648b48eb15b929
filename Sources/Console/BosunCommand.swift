import Foundation
import ArgumentParser
import Shared

/// `bosun`: the operator's console on the central node, and its non-interactive subcommands.
///
/// The root takes no options of its own: the console is its default subcommand, so `bosun --headless …` and
/// `bosun --data-dir …` still open it, and each other subcommand gets exactly the options it declares (a root with
/// options would take them from every subcommand's command line first).
@main
struct BosunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bosun",
        abstract: "Control a fleet of nodes by message passing over NATS, with guaranteed delivery.",
        discussion: "Without a subcommand: the console (--headless: the engine without a screen); bosun console --help lists its options.",
        version: BosunVersion.current,
        subcommands: [
            ConsoleCommand.self, SendCommand.self, NodesCommand.self, MessagesCommand.self, ErrorsCommand.self,
            ReplayCommand.self, ServeCommand.self, DemoCommand.self, KeysCommand.self, WatchCommand.self,
            CancelCommand.self, RetryCommand.self, RolloutsCommand.self, BenchRenderCommand.self,
            LogsCommand.self, MetricsCommand.self, BenchMetricsCommand.self, NATSUsersCommand.self,
        ],
        defaultSubcommand: ConsoleCommand.self)
}

/// `bosun` (and `bosun console`): the console on a terminal, or with --headless the engine without a screen.
struct ConsoleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "console",
        abstract: "The operator's console on the central node (the default: bosun alone opens it).")

    @Flag(help: "Run the central node's engine without the console.")
    var headless = false

    @OptionGroup var options: NodeOptions

    @OptionGroup(title: "Console") var console: ConsoleFlags

    @OptionGroup var metrics: MetricsOption

    func run() async throws {
        if headless {
            var serve = ServeCommand()
            serve.options = options
            serve.logLevel = .info
            serve.metrics = metrics
            try await serve.run()
            return
        }
        guard isatty(0) != 0, isatty(1) != 0 else {
            throw ValidationError("the console needs a terminal; use --headless to run without one")
        }
        try await ConsoleSession.run(options, flags: console, metrics: try metrics.address())
    }
}

/// Exit codes of `bosun`, after sysexits.h where one fits.
enum ExitStatus {
    /// Bad command line.
    static let usage: Int32 = 64
    /// The receiver refused the message.
    static let rejected: Int32 = 65
    /// NATS or the node cannot be reached.
    static let unavailable: Int32 = 69
    /// Retries or ttl used up without an ACK, or --timeout passed.
    static let tempFail: Int32 = 75
    /// Ctrl-C: 128 + SIGINT, as shells report it.
    static let interrupted: Int32 = 130
}
