import ArgumentParser
import Foundation
import Logging
import Shared

/// `bosun send`: send one message through the central node's outbox and, by default, wait for its ACK.
struct SendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Send a command or event to a node and print its result.",
        discussion: """
            Examples:
              bosun send --to pi-garage -- uname -a
              bosun send --to pi-garage -- sh -c 'df -h | grep /dev/root'
              bosun send --to pi-garage --method ping

            The message is accepted into the outbox of the data directory first, so it is never lost. If a
            bosun engine (console or --headless) already runs on that directory, the message is handed to it.
            With --wait (the default) the command's stdout is printed to stdout, its stderr to stderr, and bosun
            exits with the remote exit code. While the node is not connected, send waits (one progress line on
            stderr) and keeps trying; Ctrl-C stops waiting and leaves the message queued (exit 130).
            Exit 64: bad usage; 65: the node rejected the message; 69: NATS cannot be reached, or with
            --fail-fast the node is not connected; 75: no ACK before the retries or the ttl ran out, or
            --timeout passed (the message stays queued). A message left queued is carried by a bosun engine on
            the data directory: bosun --headless (deploy/bosun-central.service) or the console.
            """)

    @OptionGroup var node: NodeOptions

    @Option(help: ArgumentHelp("The destination node.", valueName: "node"))
    var to: String

    @Option(help: ArgumentHelp("What the node does: cliCommand, ping, …", valueName: "method"))
    var method: String = Method.cliCommand.rawValue

    @Option(help: ArgumentHelp("Message type: CommandACK, CommandNACK, EventACK, EventNACK (default: the method's).", valueName: "type"))
    var type: MessageType?

    @Flag(inversion: .prefixedNo, help: "Wait for the ACK and print the result, through outages of the node.")
    var wait = true

    @Option(help: ArgumentHelp(
        "Stop waiting after this many seconds: exit 75, the message stays queued.", valueName: "seconds"))
    var timeout: Double?

    @Flag(help: "Exit 69 at once when the node is not connected (the message stays queued).")
    var failFast = false

    @Option(help: ArgumentHelp("Payload for the method (log lines, file content).", valueName: "text"))
    var data: String?

    @Argument(parsing: .postTerminator, help: "The method's arguments: for cliCommand, the command and its arguments.")
    var arguments: [String] = []

    func validate() throws {
        guard NodeName.isValid(to) || to == NodeName.everyNode else {
            throw ValidationError("--to: \"\(to)\" is not a valid node name (letters, digits, - and _ only)")
        }
        guard NodeName.isValid(method) else {
            throw ValidationError("--method: \"\(method)\" is not a valid method name")
        }
        if let timeout, !(timeout > 0) {
            throw ValidationError("--timeout: give a number of seconds above 0, got \(timeout)")
        }
        if !wait, timeout != nil || failFast {
            throw ValidationError("--no-wait does not wait: --timeout and --fail-fast apply to --wait only")
        }
        if method == Method.cliCommand.rawValue, arguments.isEmpty {
            throw ValidationError("cliCommand needs a command after --, e.g. bosun send --to \(to) -- uptime")
        }
    }

    func run() async throws {
        let started = ContinuousClock.now
        let draft = Message(
            id: MessageID.make(), toNode: to, messageType: type, method: Method(rawValue: method),
            methodArgs: arguments, data: data)
        let configuration = try CentralNode.configuration(node, name: "bosun send")
        let carrier = try await SendCarrier.start(configuration, connectTimeout: node.connectTimeout)
        let ids = try carrier.accept([draft])
        var waiting = SendWait()
        waiting.firstAttemptOnly = !wait
        waiting.failFast = failFast
        waiting.deadline = timeout.map { started + .seconds($0) }
        let (ending, records) = try await carrier.wait(ids: ids) { [waiting] events in
            let progress = WaitProgress()
            defer { progress.clear() }
            return await waiting.run(ids: ids, events: events) { progress.update($0, lastSeen: carrier.lastSeen) }
        }
        let report = SendReport(
            ending: ending, timeout: timeout, dataDirectory: configuration.dataDirectory,
            engineStaysRunning: carrier.engineStaysRunning)
        try report.single(records.first, id: ids[0], node: to)
    }
}

extension MessageType: ExpressibleByArgument {}

extension FileHandle {
    func write(_ text: String) {
        write(Data(text.utf8))
    }
}
