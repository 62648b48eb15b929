import FoundationEssentials
import Shared

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// `fileRead` (CommandACK): `methodArgs: [--offset=N] [--length=N] [--encoding=utf8|base64] <path>`.
/// The bytes come back in `stdout`, at most `--length` of them (default and most: the capture limit, so the
/// ACK stays under NATS's payload limit); `truncated` says the file goes on. Text that is not UTF-8 needs
/// `--encoding=base64`.
struct FileReadHandler: CheckedMethod {
    struct Arguments: Sendable {
        var path: String
        var offset: Int
        var length: Int
        var base64: Bool
    }

    let access: FileAccess
    var limit = OutputDefaults.captureLimit

    var spec: ArgumentSpec {
        ArgumentSpec(
            method: Method.fileRead.rawValue,
            options: ["offset": .count, "length": .count, "encoding": .choice(["utf8", "base64"])],
            positional: ["path"])
    }

    func check(_ message: Message, context: HandlerContext) throws(ArgumentError) -> Arguments {
        let parsed = try spec.parse(message.methodArgs ?? [], data: message.data, methodTimeout: message.methodTimeout)
        let length = parsed.count("length") ?? limit
        guard length <= limit else {
            throw ArgumentError("--length", "must be at most \(limit) bytes per read, got \(length)")
        }
        let argument = "methodArgs[\((message.methodArgs?.count ?? 1) - 1)]"
        let path = try access.resolve(parsed.positional[0], argument: argument, node: context.node)
        return Arguments(
            path: path, offset: parsed.count("offset") ?? 0, length: length,
            base64: parsed.value("encoding") == "base64")
    }

    func run(_ arguments: Arguments, message: Message, context: HandlerContext) async -> Reply {
        let startedAt = Timestamp.now
        var reply: Reply
        do {
            let (bytes, more) = try Self.read(arguments.path, offset: arguments.offset, length: arguments.length)
            if arguments.base64 {
                reply = context.reply(to: message, .ok, stdout: Data(bytes).base64EncodedString())
            } else if let text = String(validating: bytes, as: UTF8.self) {
                reply = context.reply(to: message, .ok, stdout: text)
            } else {
                reply = context.reply(
                    to: message, .error, error: "\(arguments.path) is not UTF-8 text; read it with --encoding=base64")
            }
            reply.truncated = more ? true : nil
        } catch {
            reply = context.reply(to: message, .error, error: error.description)
        }
        reply.startedAt = startedAt
        reply.finishedAt = .now
        return reply
    }

    /// Up to `length` bytes from `offset`, and whether the file goes on after them. Only regular files: a FIFO
    /// or device could block or never end.
    static func read(_ path: String, offset: Int, length: Int) throws(ReadFailure) -> ([UInt8], Bool) {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
        guard fd >= 0 else { throw ReadFailure(path: path, operation: "opening", errno: errno) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw ReadFailure(path: path, operation: "examining", errno: errno) }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw ReadFailure(path: path, operation: "reading (not a regular file)", errno: EINVAL)
        }
        let size = Int(info.st_size)
        let count = max(0, min(length, size - offset))
        var bytes = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let got = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, count - done, off_t(offset + done)) }
            if got < 0, errno == EINTR { continue }
            if got < 0 { throw ReadFailure(path: path, operation: "reading", errno: errno) }
            if got == 0 { break }
            done += got
        }
        return (Array(bytes.prefix(done)), offset + done < size)
    }
}

/// Why a file could not be read: the path, what was being done, and the system's reason.
struct ReadFailure: Error, Sendable, CustomStringConvertible {
    var path: String
    var operation: String
    var errno: Int32

    var description: String { "\(operation) \(path): \(String(cString: strerror(errno)))" }
}
