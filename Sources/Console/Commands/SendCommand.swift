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
            exits with the remote exit code. Exit 64: bad usage; 65: the node rejected the message; 69: NATS or
            the node cannot be reached (the message stays queued and is retried while an engine runs);
            75: no ACK before the retries or the ttl ran out.
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

    @Argument(parsing: .postTerminator, help: "The method's arguments: for cliCommand, the command and its arguments.")
    var arguments: [String] = []

    func validate() throws {
        guard NodeName.isValid(to) || to == NodeName.everyNode else {
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
        let draft = Message(
            id: MessageID.make(), toNode: to, messageType: type, method: Method(rawValue: method),
            methodArgs: arguments, data: data)
        let configuration = try CentralNode.configuration(node, name: "bosun send")
        let runtime: NodeRuntime
        do {
            runtime = try await CentralNode.start(
                configuration, connectFor: .seconds(node.connectTimeout), logger: CentralNode.logger(level: .critical))
        } catch let error as TransportError {
            FileHandle.standardError.write("bosun: \(error)\n")
            throw ExitCode(ExitStatus.unavailable)
        } catch is NodeError {
            // Another engine holds this data directory's lock: hand the message to it through inbox/.
            try await handOff(draft, dataDirectory: configuration.dataDirectory)
            return
        }
        let record = try runtime.accept([draft])[0]
        let outcome = try await withThrowingTaskGroup(of: OutboxRecord?.self) { group in
            group.addTask {
                try await runtime.run()
                return nil
            }
            group.addTask { try await self.awaitOutcome(record.id, runtime: runtime) }
            let outcome = try await group.next() ?? nil
            group.cancelAll()
            return outcome
        }
        await runtime.connection.close()
        guard let outcome else { return }
        try report(outcome)
    }

    /// Waits for the final record (with --wait) or the first attempt (--no-wait); a record that is still
    /// queued after a "no responders" comes back at once.
    private func awaitOutcome(_ id: String, runtime: NodeRuntime) async throws -> OutboxRecord {
        let progress = Mailbox<OutboxRecord>()
        let token = runtime.outbox.addObserver { if $0.id == id { progress.deliver($0) } }
        defer { runtime.outbox.removeObserver(token) }
        // The answer may come before the observer is in place (a rejection takes a millisecond): start from
        // the stored record, or `send` would wait for a change that already happened.
        if let stored = try runtime.store.outboxRecord(id: id) { progress.deliver(stored) }
        while let record = await progress.receive() {
            if record.state.isFinal { return record }
            if !wait, record.attempts > 0 { return record }
            if record.state == .queued, Outbox.isWaitingForNode(record) { return record }
        }
        throw CancellationError()
    }

    private func handOff(_ message: Message, dataDirectory: String) async throws {
        let id = message.id ?? ""
        try FileSystem.makeDirectory(dataDirectory + "/inbox")
        try FileSystem.write(message.encoded(), to: dataDirectory + "/inbox/send-\(id).json")
        guard wait else {
            print(id)
            return
        }
        let store = try Store(path: dataDirectory + "/state.db")
        while true {
            if let record = try store.outboxRecord(id: id),
                record.state.isFinal || (record.state == .queued && Outbox.isWaitingForNode(record))
            {
                try report(record)
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    private func report(_ record: OutboxRecord) throws {
        let id = record.id
        switch record.state {
        case .acked:
            if let reply = record.reply { try printResult(reply, record: record) }
        case .sent:
            print(id)
        case .rejected:
            FileHandle.standardError.write("bosun: \(to) rejected message \(id): \(record.reply?.error ?? record.lastError ?? "no reason given")\n")
            throw ExitCode(ExitStatus.rejected)
        case .failed, .expired, .cancelled:
            FileHandle.standardError.write("bosun: message \(id) to \(to) \(record.state.rawValue): \(record.lastError ?? "")\n")
            throw ExitCode(ExitStatus.tempFail)
        case .queued, .sending, .inProgress:
            if Outbox.isWaitingForNode(record) {
                FileHandle.standardError.write(
                    "bosun: no responders: node \(to) is not connected to NATS; message \(id) stays queued and is retried while a bosun engine runs\n")
                throw ExitCode(ExitStatus.unavailable)
            }
            print(id)
        }
    }

    private func printResult(_ reply: Reply, record: OutboxRecord) throws {
        if record.message.method == .ping, reply.status == .ok {
            let started = record.message.createdAt ?? record.updatedAt
            print("pong from \(reply.fromNode) in \(String(format: "%.1f", record.updatedAt.seconds(since: started) * 1000)) ms")
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
}

extension MessageType: ExpressibleByArgument {}

extension FileHandle {
    func write(_ text: String) {
        write(Data(text.utf8))
    }
}
