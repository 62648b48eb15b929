import Foundation
import ArgumentParser
import Shared

/// `bosun`: the operator's console on the central node, and its non-interactive subcommands.
@main
struct BosunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bosun",
        abstract: "Control a fleet of nodes by message passing over NATS, with guaranteed delivery.",
        discussion: "Without a subcommand: the console (--headless: the engine without a screen).",
        version: BosunVersion.current,
        subcommands: [
            SendCommand.self, NodesCommand.self, MessagesCommand.self, ErrorsCommand.self, ReplayCommand.self,
            ServeCommand.self, DemoCommand.self, KeysCommand.self, BenchRenderCommand.self,
            LogsCommand.self, MetricsCommand.self, BenchMetricsCommand.self,
        ])

    @Flag(help: "Run the central node's engine without the console.")
    var headless = false

    @OptionGroup var options: NodeOptions

    @OptionGroup(title: "Console") var console: ConsoleFlags

    func run() async throws {
        if headless {
            var serve = ServeCommand()
            serve.options = options
            serve.logLevel = .info
            try await serve.run()
            return
        }
        guard isatty(0) != 0, isatty(1) != 0 else {
            throw ValidationError("the console needs a terminal; use --headless to run without one")
        }
        try await ConsoleSession.run(options, flags: console)
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
    /// Retries or ttl used up without an ACK.
    static let tempFail: Int32 = 75
}
