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
              bosun send --to site=barn -- uptime
              bosun send --to @kitchen,edge-gw -- df -h

            --to takes a node, several (a,b,c), * (every known node), @group (<data-dir>/groups.json) or \
            label=value (the labels of the nodes' hellos).

            The message is accepted into the outbox of the data directory first, so it is never lost. If a bosun \
            engine (console or --headless) already runs on that directory, the message is handed to it. With --wait \
            (the default) the command's stdout is printed to stdout, its stderr to stderr, and bosun exits with the \
            remote exit code. While the node is not connected, send waits (one progress line on stderr) and keeps \
            trying; Ctrl-C stops waiting and leaves the message queued (exit 130). A message left queued is carried \
            by a bosun engine on the data directory: bosun --headless (deploy/bosun-central.service) or the console.

            To several nodes it prints a summary (ok, failed, rejected, expired, still waiting) and each distinct \
            output once, with the nodes that gave it (pi-[1-9,12]), most common first.

            Exit 64: bad usage; 65: the node rejected the message; 69: NATS cannot be reached, or with --fail-fast \
            the node is not connected; 75: no ACK before the retries or the ttl ran out, or --timeout passed (the \
            message stays queued); to several nodes: 0 only when every node succeeded, 1 when some failed.
            """)

    @OptionGroup var node: NodeOptions

    @Option(help: ArgumentHelp(
        "The destination: a node, several (a,b,c), * (every known node), @group (<data-dir>/groups.json) or label=value.",
        valueName: "target"))
    var to: String

    @Flag(help: "One JSON object per node (operation, node, id, outcome, state, status, exitCode, stdout, stderr, error).")
    var json = false

    @Option(help: ArgumentHelp("What the node does: cliCommand, ping, …", valueName: "method"))
    var method: String = Method.cliCommand.rawValue

    @Option(help: ArgumentHelp("Message type: CommandACK, CommandNACK, EventACK, EventNACK (default: the method's).", valueName: "type"))
    var type: MessageType?

    @OptionGroup(title: "Waiting") var waiting: WaitOptions

    @OptionGroup(title: "Rollout") var rollout: RolloutOptions

    @Option(help: ArgumentHelp("Payload for the method (log lines, file content).", valueName: "text"))
    var data: String?

    @Flag(help: "Deliver only after everything sent before to the same node was answered, even while it is up.")
    var sequential = false

    @Option(help: ArgumentHelp(
        "Send no earlier than this: RFC 3339 (2026-11-30T14:00:00Z) or from now (+90s, +10m, +2h, +1d). Kept in "
            + "<data-dir>/scheduled/ until then; the engine on the data directory sends it. Prints the ids, does not wait.",
        valueName: "time"))
    var at: AtOption?

    @Argument(parsing: .postTerminator, help: "The method's arguments: for cliCommand, the command and its arguments.")
    var arguments: [String] = []

    func validate() throws {
        guard NodeName.isValid(method) else {
            throw ValidationError("--method: \"\(method)\" is not a valid method name")
        }
        if rollout.isOn, !waiting.wait || waiting.failFast {
            throw ValidationError("a rollout waits for each batch: --no-wait and --fail-fast do not go with --canary or --batch")
        }
        if at != nil, rollout.isOn {
            throw ValidationError("--at does not go with a rollout (--canary, --batch): a rollout waits for each batch")
        }
        if method == Method.cliCommand.rawValue, arguments.isEmpty {
            throw ValidationError("cliCommand needs a command after --, e.g. bosun send --to \(to) -- uptime")
        }
    }

    func run() async throws {
        let started = ContinuousClock.now
        let directory = CentralNode.dataDirectory(node)
        let targets = try resolveTargets(dataDirectory: directory)
        let drafts = targets.map {
            var draft = Message(
                id: MessageID.make(), toNode: $0, messageType: type, method: Method(rawValue: method),
                methodArgs: arguments, data: data)
            if sequential { draft.sequential = true }
            return draft
        }
        if let at { return try schedule(drafts, at: at.time, dataDirectory: directory) }
        let configuration = try CentralNode.configuration(node, name: "bosun send")
        let carrier = try await SendCarrier.start(configuration, connectTimeout: node.connectTimeout)
        if rollout.isOn {
            return try await runRollout(targets: targets, drafts: drafts, carrier: carrier, started: started)
        }
        let ids = try carrier.accept(drafts)
        let operation = targets.count > 1 ? try record(targets: targets, ids: ids, dataDirectory: directory) : ids[0]
        let (ending, records) = try await carrier.waitWithProgress(ids: ids, waiting.sendWait(started: started))
        let report = SendReport(
            ending: ending, timeout: waiting.timeout, dataDirectory: configuration.dataDirectory,
            engineStaysRunning: carrier.engineStaysRunning)
        guard targets.count > 1 || json else {
            return try report.single(records.first, id: ids[0], node: targets[0])
        }
        let byID = Dictionary(records.map { ($0.id, $0) }) { $1 }
        let outcomes = zip(targets, ids).map { NodeOutcome(node: $0, id: $1, record: byID[$1]) }
        if outcomes.contains(where: { $0.kind == .waiting }) { report.stillQueuedNotice() }
        try FanOutReport(operation: operation, outcomes: outcomes, ending: ending).print(json: json)
    }

    /// `--at`: keeps the messages in `<data-dir>/scheduled/` for the engine to send at their time; prints their ids
    /// and says so when no engine runs there to send them.
    private func schedule(_ drafts: [Message], at time: Timestamp, dataDirectory: String) throws {
        try ScheduledSends(dataDirectory: dataDirectory).schedule(drafts, at: time)
        for draft in drafts { print(draft.id ?? "") }
        let nodes = drafts.count == 1 ? drafts[0].toNode ?? "" : "\(drafts.count) nodes"
        FileHandle.standardError.write("bosun: scheduled for \(time.rfc3339) to \(nodes) (bosun messages shows it once sent)\n")
        if try DataDirectoryLock(dataDirectory: dataDirectory) != nil {
            FileHandle.standardError.write(
                "bosun: no bosun engine runs on \(dataDirectory): it is sent once one runs there at or after that time "
                    + "(bosun --headless, or the console)\n")
        }
    }

    /// The nodes `--to` names, from the registry's nodes and labels and `<data-dir>/groups.json`.
    private func resolveTargets(dataDirectory: String) throws -> [String] {
        do {
            let statePath = dataDirectory + "/state.db"
            let known = FileSystem.exists(statePath) ? try Store(path: statePath).nodes() : []
            let resolver = TargetResolver(records: known, groups: try NodeGroups.load(dataDirectory: dataDirectory))
            return try resolver.resolve(to)
        } catch let error as TargetError {
            FileHandle.standardError.write("bosun send: --to \(to): \(error)\n")
            throw ExitCode(ExitStatus.usage)
        }
    }

    /// Records the fan-out as one operation; returns its id.
    func record(targets: [String], ids: [String], dataDirectory: String) throws -> String {
        let entry = OperationLog.Entry(
            id: MessageID.make(), createdAt: .now, target: to, method: method, methodArgs: arguments,
            messages: zip(targets, ids).map { .init(node: $0, id: $1) })
        try OperationLog(dataDirectory: dataDirectory).append(entry)
        return entry.id
    }
}

extension MessageType: ExpressibleByArgument {}

extension FileHandle {
    func write(_ text: String) {
        write(Data(text.utf8))
    }
}
