import ArgumentParser
import Foundation
import Shared

/// `bosun send`: send one message and, by default, wait for its ACK and print the result.
struct SendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Send a command or event to a node and print its result.",
        discussion: """
            Examples:
              bosun send --to pi-garage -- uname -a
              bosun send --to pi-garage -- sh -c 'df -h | grep /dev/root'
              bosun send --to pi-garage --method ping

            With --wait (the default) the command's stdout is printed to stdout, its stderr to stderr,
            and bosun exits with the remote exit code. Exit 64: bad usage; 65: the node rejected the message;
            69: NATS or the node cannot be reached; 75: no ACK before the retries or the ttl ran out.
            """)

    @OptionGroup var node: NodeOptions

    @Option(help: ArgumentHelp("The destination node.", valueName: "node"))
    var to: String

    @Option(help: ArgumentHelp("What the node does: cliCommand, ping, …", valueName: "method"))
    var method: String = Method.cliCommand.rawValue

    @Option(help: ArgumentHelp("Message type: CommandACK, CommandNACK, EventACK, EventNACK (default: the method's).", valueName: "type"))
    var type: MessageType?

    @Flag(inversion: .prefixedNo, help: "Wait for the ACK and print the result.")
    var wait = true

    @Option(help: ArgumentHelp("Payload for the method (log lines, file content).", valueName: "text"))
    var data: String?

    @Option(help: ArgumentHelp("Seconds to wait for an ACK per attempt (default 10).", valueName: "seconds"))
    var ackTimeout: Double?

    @Option(help: ArgumentHelp("Attempts after the first; 0 = until the ttl (default 0).", valueName: "n"))
    var retries: Int?

    @Option(help: ArgumentHelp("Seconds before the first retry; doubles per attempt (default 1).", valueName: "seconds"))
    var retryWait: Double?

    @Option(help: ArgumentHelp("Seconds the node lets the method run (default 60).", valueName: "seconds"))
    var methodTimeout: Double?

    @Option(help: ArgumentHelp("Seconds before the message is given up (default 7 days).", valueName: "seconds"))
    var ttl: Double?

    @Argument(parsing: .postTerminator, help: "The method's arguments: for cliCommand, the command and its arguments.")
    var arguments: [String] = []

    func validate() throws {
        guard NodeName.isValid(to) else {
            throw ValidationError("--to: \"\(to)\" is not a valid node name (letters, digits, - and _ only)")
        }
        guard NodeName.isValid(method) else {
            throw ValidationError("--method: \"\(method)\" is not a valid method name")
        }
        if method == Method.cliCommand.rawValue, arguments.isEmpty {
            throw ValidationError("cliCommand needs a command after --, e.g. bosun send --to \(to) -- uptime")
        }
    }

    func run() async throws {
        let sender = try node.nodeName(default: Wire.centralNode)
        let draft = Message(
            toNode: to, messageType: type, method: Method(rawValue: method), methodArgs: arguments, data: data,
            ackTimeout: ackTimeout, retries: retries, retryWait: retryWait, methodTimeout: methodTimeout, ttl: ttl)
        guard let message = try draft.accepted(from: sender, defaults: .standard).first else { return }

        let connection: NATSConnection
        do {
            connection = try await NATSConnection.connect(
                node.natsConfiguration(name: "bosun send"), retryFor: .seconds(node.connectTimeout))
        } catch {
            FileHandle.standardError.write("bosun: \(error)\n")
            throw ExitCode(ExitStatus.unavailable)
        }
        defer { Task { await connection.close() } }

        let started = ContinuousClock.now
        let destination = to
        let outcome: Courier.Outcome
        do {
            outcome = try await Courier(connection: connection).deliver(message) { event in
                // Nothing is subscribed to the node's subject: say so at once rather than wait out the retries.
                if case .noResponders = event { throw NoResponders() }
            }
        } catch is NoResponders {
            FileHandle.standardError.write(
                "bosun: no responders: node \(destination) is not connected to NATS (message \(message.id ?? ""))\n")
            throw ExitCode(ExitStatus.unavailable)
        }
        try report(outcome, message: message, elapsed: ContinuousClock.now - started)
    }

    private func report(_ outcome: Courier.Outcome, message: Message, elapsed: Duration) throws {
        switch outcome {
        case .published:
            print(message.id ?? "")
        case .rejected(let reply):
            FileHandle.standardError.write("bosun: \(to) rejected message \(reply.id): \(reply.error ?? "no reason given")\n")
            throw ExitCode(ExitStatus.rejected)
        case .failed(let reason), .expired(let reason):
            FileHandle.standardError.write("bosun: message \(message.id ?? "") to \(to) not delivered: \(reason)\n")
            throw ExitCode(ExitStatus.tempFail)
        case .acked(let reply):
            try printResult(reply, method: message.method, elapsed: elapsed)
        }
    }

    private func printResult(_ reply: Reply, method: Method, elapsed: Duration) throws {
        if method == .ping, reply.status == .ok {
            print("pong from \(reply.fromNode) in \(Self.milliseconds(elapsed)) ms")
            return
        }
        if let stdout = reply.stdout, !stdout.isEmpty { FileHandle.standardOutput.write(stdout) }
        if let stderr = reply.stderr, !stderr.isEmpty { FileHandle.standardError.write(stderr) }
        if reply.status != .ok {
            FileHandle.standardError.write("bosun: \(reply.fromNode): \(reply.status.rawValue): \(reply.error ?? "")\n")
        }
        let code = reply.exitCode ?? (reply.status == .ok ? 0 : 1)
        if code != 0 { throw ExitCode(code) }
    }

    private static func milliseconds(_ duration: Duration) -> String {
        String(format: "%.1f", duration.seconds * 1000)
    }
}

private struct NoResponders: Error {}

extension MessageType: ExpressibleByArgument {}

extension FileHandle {
    func write(_ text: String) {
        write(Data(text.utf8))
    }
}
