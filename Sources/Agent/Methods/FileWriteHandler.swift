import FoundationEssentials
import Shared

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// `fileWrite` and `fileAppend` (EventACK): `methodArgs: [--mode=0644] <path>`; the content is `data`
/// (`dataEncoding: base64` for binary). `fileWrite` replaces the file whole (a temporary file renamed over it);
/// `fileAppend` adds to its end, creating it if needed. The path must lie in an allowed directory.
struct FileWriteHandler: CheckedMethod {
    struct Arguments: Sendable {
        var path: String
        var bytes: [UInt8]
        var mode: Int
    }

    var appending: Bool
    let access: FileAccess

    var spec: ArgumentSpec {
        ArgumentSpec(
            method: appending ? Method.fileAppend.rawValue : Method.fileWrite.rawValue, options: ["mode": .octal],
            positional: ["path"], takesData: true)
    }

    func check(_ message: Message, context: HandlerContext) throws(ArgumentError) -> Arguments {
        let parsed = try spec.parse(message.methodArgs ?? [], data: message.data, methodTimeout: message.methodTimeout)
        let argument = "methodArgs[\((message.methodArgs?.count ?? 1) - 1)]"
        let path = try access.resolve(parsed.positional[0], argument: argument, node: context.node)
        return Arguments(path: path, bytes: try MessageContent.bytes(of: message), mode: parsed.octal("mode") ?? 0o644)
    }

    func run(_ arguments: Arguments, message: Message, context: HandlerContext) async -> Reply {
        let startedAt = Timestamp.now
        var reply: Reply
        do {
            if appending {
                try FileSystem.append(
                    arguments.bytes, to: arguments.path, mode: mode_t(arguments.mode), followSymlinks: false)
            } else {
                try FileSystem.write(arguments.bytes, to: arguments.path, mode: mode_t(arguments.mode))
            }
            reply = context.reply(
                to: message, .ok, stdout: "\(appending ? "appended" : "wrote") \(arguments.bytes.count) bytes to \(arguments.path)\n")
        } catch {
            reply = context.reply(to: message, .error, error: "\(error)")
        }
        reply.startedAt = startedAt
        reply.finishedAt = .now
        return reply
    }
}
