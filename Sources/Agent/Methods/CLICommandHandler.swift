import Shared

/// `cliCommand` (CommandACK): `methodArgs: [--shell] [--cwd=DIR] [--env=NAME=VALUE]… [--] <command> [args…]`.
///
/// The argv runs directly; with `--shell` the one argument is a script run by `/bin/sh -c`. Answers with the
/// exit code, stdout, stderr and timings; `methodTimeout` ends the whole process group.
struct CLICommandHandler: CheckedMethod {
    struct Arguments: Sendable {
        var argv: [String]
        var workingDirectory: String?
        var environment: [String: String]
        var timeout: Double
    }

    var runner = ProcessRunner()

    var spec: ArgumentSpec {
        ArgumentSpec(
            method: Method.cliCommand.rawValue, options: ["shell": .flag, "cwd": .text, "env": .repeated],
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
        return Arguments(
            argv: argv, workingDirectory: directory, environment: environment,
            timeout: message.methodTimeout ?? DeliveryDefaults.standard.methodTimeout)
    }

    func run(_ arguments: Arguments, message: Message, context: HandlerContext) async -> Reply {
        let startedAt = Timestamp.now
        var reply: Reply
        do {
            let outcome = try await runner.run(
                arguments.argv, timeout: arguments.timeout, workingDirectory: arguments.workingDirectory,
                environment: arguments.environment)
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
            reply = context.reply(to: message, .error, error: "cannot run \(arguments.argv[0]): \(error)")
            reply.exitCode = 127
        }
        reply.startedAt = startedAt
        reply.finishedAt = .now
        return reply
    }

    static func isVariableName(_ name: String) -> Bool {
        guard let first = name.utf8.first, !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else { return false }
        return name.utf8.allSatisfy { $0 == UInt8(ascii: "_") || ($0 | 0x20) >= UInt8(ascii: "a") && ($0 | 0x20) <= UInt8(ascii: "z") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }
}
