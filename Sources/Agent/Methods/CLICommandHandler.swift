import Shared

/// `cliCommand`: runs `methodArgs` as an argv (no shell unless the argv is `sh -c …`), and answers with
/// the exit code, stdout, stderr and timings.
struct CLICommandHandler: MethodHandler {
    var runner = ProcessRunner()

    func handle(_ message: Message, context: HandlerContext) async -> Reply {
        let argv = message.methodArgs ?? []
        guard !argv.isEmpty else {
            return context.reply(to: message, .rejected, error: "field `methodArgs`: cliCommand needs a command to run")
        }
        let startedAt = Timestamp.now
        do {
            let outcome = try await runner.run(
                argv, timeout: message.methodTimeout ?? DeliveryDefaults.standard.methodTimeout)
            var reply = context.reply(to: message, .ok)
            reply.exitCode = outcome.signal.map { 128 + $0 } ?? outcome.exitCode
            reply.stdout = String(decoding: outcome.stdout, as: UTF8.self)
            reply.stderr = String(decoding: outcome.stderr, as: UTF8.self)
            reply.truncated = outcome.truncated ? true : nil
            reply.startedAt = startedAt
            reply.finishedAt = .now
            if outcome.timedOut {
                reply.status = .error
                reply.error = "timed out after \(message.methodTimeout ?? 0) s; process group ended"
            }
            return reply
        } catch {
            var reply = context.reply(to: message, .error, error: "cannot run \(argv[0]): \(error)")
            reply.exitCode = 127
            reply.startedAt = startedAt
            reply.finishedAt = .now
            return reply
        }
    }
}

/// `ping`: answers at once, so the sender learns the round trip.
struct PingHandler: MethodHandler {
    func handle(_ message: Message, context: HandlerContext) async -> Reply {
        var reply = context.reply(to: message, .ok, stdout: "pong")
        reply.finishedAt = .now
        return reply
    }
}
