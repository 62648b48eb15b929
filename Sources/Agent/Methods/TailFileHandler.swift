import Shared

/// `tailFile` (CommandACK): `methodArgs: [--seconds=N] [--from-start] <path>`.
///
/// Follows a file in an allowed directory for `--seconds` (default 10, at most the method timeout): each line
/// appended meanwhile goes back to the sender as it appears (`output` messages, in order), and the ACK at the
/// end carries them all (up to the capture limit). A file that shrinks (rotated, truncated) is read again from
/// its start.
struct TailFileHandler: CheckedMethod {
    struct Arguments: Sendable {
        var path: String
        var seconds: Int
        var fromStart: Bool
    }

    let access: FileAccess
    var poll: Duration = .milliseconds(200)

    var spec: ArgumentSpec {
        ArgumentSpec(
            method: Method.tailFile.rawValue, options: ["seconds": .count, "from-start": .flag], positional: ["path"])
    }

    func check(_ message: Message, context: HandlerContext) throws(ArgumentError) -> Arguments {
        let parsed = try spec.parse(message.methodArgs ?? [], data: message.data, methodTimeout: message.methodTimeout)
        let seconds = parsed.count("seconds") ?? 10
        let most = Int(message.methodTimeout ?? DeliveryDefaults.standard.methodTimeout)
        guard seconds >= 1, seconds <= most else {
            throw ArgumentError("--seconds", "must be from 1 to the method timeout (\(most) s), got \(seconds)")
        }
        let argument = "methodArgs[\((message.methodArgs?.count ?? 1) - 1)]"
        let path = try access.resolve(parsed.positional[0], argument: argument, node: context.node)
        return Arguments(path: path, seconds: seconds, fromStart: parsed.flags.contains("from-start"))
    }

    func run(_ arguments: Arguments, message: Message, context: HandlerContext) async -> Reply {
        let startedAt = Timestamp.now
        let deadline = ContinuousClock.now + .seconds(arguments.seconds)
        var offset = arguments.fromStart ? 0 : (FileSystem.size(arguments.path) ?? 0)
        var pending: [UInt8] = []
        var collected: [UInt8] = []
        var truncated = false
        do {
            while ContinuousClock.now < deadline, !Task.isCancelled {
                if (FileSystem.size(arguments.path) ?? 0) < offset {
                    offset = 0
                    pending.removeAll()
                }
                let (bytes, more) = try FileReadHandler.read(arguments.path, offset: offset, length: 64 * 1024)
                offset += bytes.count
                pending += bytes
                if let end = pending.lastIndex(of: UInt8(ascii: "\n")) {
                    let lines = Array(pending[...end])
                    pending.removeFirst(end + 1)
                    try? context.sendOutput(String(decoding: lines, as: UTF8.self), stream: .stdout, of: message)
                    let room = OutputDefaults.captureLimit - collected.count
                    if lines.count > room { truncated = true }
                    collected += lines.prefix(max(0, room))
                }
                if !more { try await Task.sleep(for: poll) }
            }
        } catch let failure as ReadFailure {
            var reply = context.reply(to: message, .error, error: failure.description)
            reply.stdout = String(decoding: collected, as: UTF8.self)
            return reply
        } catch {
            // Cancelled: the node is stopping; answer with what came so far.
        }
        var reply = context.reply(to: message, .ok, stdout: String(decoding: collected, as: UTF8.self))
        reply.truncated = truncated ? true : nil
        reply.startedAt = startedAt
        reply.finishedAt = .now
        return reply
    }
}
