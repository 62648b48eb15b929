import Shared

/// `cliCommand` and `cliCommandCont` (CommandACK): `methodArgs: [--shell] [--cwd=DIR] [--env=NAME=VALUE]… [--] <command> [args…]`.
///
/// The argv runs directly; with `--shell` the one argument is a script run by `/bin/sh -c`. `{{BOSUN_DATA}}` in
/// an argument becomes the path of a file holding the message's `data` (removed after the run). Answers with
/// the exit code, stdout, stderr and timings; `methodTimeout` ends the whole process group.
struct CLICommandHandler: CheckedMethod {
    struct Arguments: Sendable {
        var argv: [String]
        var workingDirectory: String?
        var environment: [String: String]
        var timeout: Double
        /// The content for `{{BOSUN_DATA}}`, when an argument names it.
        var data: [UInt8]?
    }

    static let dataPlaceholder = "{{BOSUN_DATA}}"

    var runner = ProcessRunner()
    /// `cliCommandCont`: output goes back to the sender line by line as it appears (``HandlerContext/sendOutput``),
    /// then the whole result as the ACK.
    var streaming = false

    var spec: ArgumentSpec { streaming ? Self.streamingSpec : Self.plainSpec }

    // Built once: a spec is dictionaries and arrays, and every command is checked against one.
    private static let plainSpec = makeSpec(.cliCommand)
    private static let streamingSpec = makeSpec(.cliCommandCont)

    private static func makeSpec(_ method: Method) -> ArgumentSpec {
        ArgumentSpec(
            method: method.rawValue, options: ["shell": .flag, "cwd": .text, "env": .repeated],
            positional: ["command"], variadic: true, takesData: true)
    }

    func check(_ message: Message, context: HandlerContext) throws(ArgumentError) -> Arguments {
        let parsed = try spec.parse(message.methodArgs ?? [], data: message.data, methodTimeout: message.methodTimeout)
        var argv = parsed.positional
        if parsed.flags.contains("shell") {
            guard argv.count == 1 else {
                throw ArgumentError("--shell", "takes one script as its argument, got \(argv.count)")
            }
            argv = ["/bin/sh", "-c", argv[0]]
        }
        var environment: [String: String] = [:]
        for pair in parsed.values["env"] ?? [] {
            let name = String(pair.prefix { $0 != "=" })
            guard pair.contains("="), Self.isVariableName(name) else {
                throw ArgumentError("--env", "must be NAME=VALUE with NAME letters, digits and _, got \"\(pair)\"")
            }
            environment[name] = String(pair.dropFirst(name.count + 1))
        }
        let directory = parsed.value("cwd")
        if let directory, !(directory.hasPrefix("/") && FileSystem.isDirectory(directory)) {
            throw ArgumentError("--cwd", "must be an existing directory given by its absolute path, got \"\(directory)\"")
        }
        let content = message.data == nil ? [] : try MessageContent.bytes(of: message)
        let usesData = argv.contains(where: Self.namesData)
        if usesData, message.data == nil {
            throw ArgumentError("data", "an argument names \(Self.dataPlaceholder) but the message has no data")
        }
        return Arguments(
            argv: argv, workingDirectory: directory, environment: environment,
            timeout: message.methodTimeout ?? DeliveryDefaults.standard.methodTimeout, data: usesData ? content : nil)
    }

    func run(_ arguments: Arguments, message: Message, context: HandlerContext) async -> Reply {
        let startedAt = Timestamp.now
        var reply: Reply
        var argv = arguments.argv
        let dataPath = "\(context.dataDirectory)/tmp/data-\(message.id ?? "message")"
        defer { if arguments.data != nil { FileSystem.remove(dataPath) } }
        do {
            if let data = arguments.data {
                try FileSystem.makeDirectory(context.dataDirectory + "/tmp")
                try FileSystem.write(data, to: dataPath, mode: 0o600)
                argv = argv.map { $0.replacing(Self.dataPlaceholder, with: dataPath) }
            }
            var lines: ProcessRunner.LineSink?
            if streaming {
                lines = { @Sendable stream, text in _ = try? context.sendOutput(text, stream: stream, of: message) }
            }
            let outcome = try await runner.run(
                argv, timeout: arguments.timeout, workingDirectory: arguments.workingDirectory,
                environment: arguments.environment, lines: lines)
            reply = context.reply(to: message, .ok)
            reply.exitCode = outcome.signal.map { 128 + $0 } ?? outcome.exitCode
            reply.stdout = String(decoding: outcome.stdout, as: UTF8.self)
            reply.stderr = String(decoding: outcome.stderr, as: UTF8.self)
            reply.truncated = outcome.truncated ? true : nil
            if outcome.timedOut {
                reply.status = .error
                reply.error = "timed out after \(arguments.timeout) s; process group ended"
            }
        } catch {
            // A spawn failure names the program's file already; a name not found on PATH does not.
            let reason = error is SpawnFailure ? "\(error)" : "cannot run \(argv[0]): \(error)"
            reply = context.reply(to: message, .error, error: reason)
            reply.exitCode = 127
        }
        reply.startedAt = startedAt
        reply.finishedAt = .now
        return reply
    }

    /// Whether `argument` holds ``dataPlaceholder`` (the length is looked at first: most arguments are shorter).
    static func namesData(_ argument: String) -> Bool {
        argument.utf8.count >= dataPlaceholder.utf8.count && argument.contains(dataPlaceholder)
    }

    static func isVariableName(_ name: String) -> Bool {
        guard let first = name.utf8.first, !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else { return false }
        return name.utf8.allSatisfy { $0 == UInt8(ascii: "_") || ($0 | 0x20) >= UInt8(ascii: "a") && ($0 | 0x20) <= UInt8(ascii: "z") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }
}
