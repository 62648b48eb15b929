import ArgumentParser
import Shared

/// `bosun`: the operator's console on the central node, and its non-interactive subcommands.
@main
struct BosunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bosun",
        abstract: "Control a fleet of nodes by message passing over NATS, with guaranteed delivery.",
        version: BosunVersion.current,
        subcommands: [SendCommand.self, DemoCommand.self])
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
