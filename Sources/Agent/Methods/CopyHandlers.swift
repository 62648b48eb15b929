import FoundationEssentials
import Shared
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// `copy` (CommandACK) on the node that has the file: `methodArgs: --to=NODE <source path> <destination path>`.
///
/// Reads the file in chunks and sends each to NODE as a `copyChunk` message through this node's outbox, with the
/// SHA-256 of the chunk and of the whole file: durable and retried, so the copy survives a restart of either
/// side and resumes where it was. The ACK says the chunks are on their way; when the last one is in place and
/// the whole checks out, the receiving node sends the copy's result to whoever asked for it.
struct CopyHandler: CheckedMethod {
    struct Arguments: Sendable {
        var destinationNode: String
        var source: String
        var destination: String
    }

    let access: FileAccess
    static let chunkSize = 256 * 1024

    var spec: ArgumentSpec {
        ArgumentSpec(method: Method.copy.rawValue, options: ["to": .text], positional: ["source", "destination"])
    }

    func check(_ message: Message, context: HandlerContext) throws(ArgumentError) -> Arguments {
        let parsed = try spec.parse(message.methodArgs ?? [], data: message.data, methodTimeout: message.methodTimeout)
        guard let node = parsed.value("to"), NodeName.isValid(node) else {
            throw ArgumentError("--to", "names the node to copy to (letters, digits, - and _)")
        }
        let count = message.methodArgs?.count ?? 2
        let source = try access.resolve(parsed.positional[0], argument: "methodArgs[\(count - 2)]", node: context.node)
        let destination = parsed.positional[1]
        guard destination.hasPrefix("/"), !destination.split(separator: "/").contains("..") else {
            throw ArgumentError("methodArgs[\(count - 1)]", "must be an absolute path without `..`, got \"\(destination)\"")
        }
        return Arguments(destinationNode: node, source: source, destination: destination)
    }

    func run(_ arguments: Arguments, message: Message, context: HandlerContext) async -> Reply {
        guard let id = message.id, let origin = message.fromNode else {
            return context.reply(to: message, .rejected, error: "copy needs an id and fromNode")
        }
        do {
            guard let size = FileSystem.size(arguments.source) else {
                throw ReadFailure(path: arguments.source, operation: "examining", errno: errno)
            }
            let whole = try Self.digest(arguments.source, size: size)
            let count = max(1, (size + Self.chunkSize - 1) / Self.chunkSize)
            // In batches, so a big file is never all in memory; each batch is durable before the next is read.
            for first in stride(from: 0, to: count, by: 16) {
                var batch: [Message] = []
                for index in first..<min(count, first + 16) {
                    let (bytes, _) = try FileReadHandler.read(arguments.source, offset: index * Self.chunkSize, length: Self.chunkSize)
                    let chunk = ChunkHeader(
                        copyID: id, origin: origin, index: index, count: count, size: size,
                        chunkSHA256: SHA256Digest.hash(bytes), sha256: whole, destination: arguments.destination)
                    batch.append(Message(
                        toNode: arguments.destinationNode, method: .copyChunk, methodArgs: chunk.arguments,
                        data: Data(bytes).base64EncodedString(), dataEncoding: "base64",
                        methodTimeout: message.methodTimeout, ttl: message.ttl))
                }
                try context.send(batch)
            }
            return context.reply(
                to: message, .ok,
                stdout: "sending \(size) bytes in \(count) chunks to \(arguments.destinationNode):\(arguments.destination) (sha256 \(whole))")
        } catch {
            return context.reply(to: message, .error, error: "copy \(arguments.source): \(error)")
        }
    }

    /// The SHA-256 of the first `size` bytes of the file, read a chunk at a time.
    static func digest(_ path: String, size: Int) throws(ReadFailure) -> String {
        var hasher = SHA256Digest()
        var offset = 0
        while offset < size {
            let (bytes, _) = try FileReadHandler.read(path, offset: offset, length: min(chunkSize, size - offset))
            guard !bytes.isEmpty else { break }
            hasher.update(bytes)
            offset += bytes.count
        }
        return hasher.finish()
    }
}

/// What each `copyChunk` message says of itself and of the whole copy (its `methodArgs`).
struct ChunkHeader: Sendable, Equatable {
    var copyID: String
    var origin: String
    var index: Int
    var count: Int
    var size: Int
    var chunkSHA256: String
    var sha256: String
    var destination: String

    var arguments: [String] {
        [copyID, origin, String(index), String(count), String(size), chunkSHA256, sha256, destination]
    }

}

extension ChunkHeader {
    /// Reads the header back from a `copyChunk` message's `methodArgs`.
    init(_ arguments: [String]) throws(ArgumentError) {
        guard arguments.count == 8 else {
            throw ArgumentError("methodArgs", "copyChunk takes 8 arguments, got \(arguments.count)")
        }
        guard let index = Int(arguments[2]), let count = Int(arguments[3]), let size = Int(arguments[4]),
            index >= 0, index < count, size >= 0
        else { throw ArgumentError("methodArgs[2...4]", "index, count and size must be numbers with index < count") }
        guard NodeName.isValid(arguments[0]), NodeName.isValid(arguments[1]) else {
            throw ArgumentError("methodArgs[0...1]", "copy id and origin node must be names")
        }
        self.init(
            copyID: arguments[0], origin: arguments[1], index: index, count: count, size: size,
            chunkSHA256: arguments[5], sha256: arguments[6], destination: arguments[7])
    }
}

/// `copyChunk` (EventACK) on the receiving node: writes one chunk of a `copy` into `<destination>.bosun-copy`
/// at its place, after checking its SHA-256; the last chunk to arrive checks the whole and renames the file
/// into place, then reports the copy's result to the node that asked for it. Chunks already written are kept
/// across restarts (their messages are answered from the receiver's record), so a copy resumes.
struct CopyChunkHandler: CheckedMethod {
    struct Arguments: Sendable {
        var header: ChunkHeader
        var destination: String
        var bytes: [UInt8]
    }

    let access: FileAccess
    /// Copies whose last chunk is being checked, so two chunks arriving together do not both finish it.
    private static let finishing = Mutex<Set<String>>([])

    func check(_ message: Message, context: HandlerContext) throws(ArgumentError) -> Arguments {
        let header = try ChunkHeader(message.methodArgs ?? [])
        let destination = try access.resolve(header.destination, argument: "methodArgs[7]", node: context.node)
        let bytes = try MessageContent.bytes(of: message)
        guard SHA256Digest.hash(bytes) == header.chunkSHA256 else {
            throw ArgumentError("data", "chunk \(header.index) of copy \(header.copyID) does not match its SHA-256")
        }
        return Arguments(header: header, destination: destination, bytes: bytes)
    }

    func run(_ arguments: Arguments, message: Message, context: HandlerContext) async -> Reply {
        let header = arguments.header
        let partial = arguments.destination + ".bosun-copy"
        // A chunk sent again after the copy finished (its first answer was lost in a restart) has nothing to do.
        guard !FileSystem.exists(Self.doneMarker(header.copyID, context: context)) else {
            return context.reply(to: message, .ok)
        }
        do {
            try Self.write(arguments.bytes, to: partial, at: header.index * CopyHandler.chunkSize)
            try FileSystem.append(Array("\(header.index)\n".utf8), to: partial + ".chunks")
        } catch {
            return context.reply(to: message, .error, error: "writing chunk \(header.index) of \(header.destination): \(error)")
        }
        finishIfWhole(header, destination: arguments.destination, partial: partial, context: context)
        return context.reply(to: message, .ok)
    }

    private func finishIfWhole(_ header: ChunkHeader, destination: String, partial: String, context: HandlerContext) {
        let written = Set(String(decoding: (try? FileSystem.read(partial + ".chunks")) ?? [], as: UTF8.self)
            .split(separator: "\n").compactMap { Int($0) })
        guard written.count == header.count,
            Self.finishing.withLock({ $0.insert(header.copyID).inserted })
        else { return }
        defer { _ = Self.finishing.withLock { $0.remove(header.copyID) } }
        var result = Reply(id: header.copyID, fromNode: context.node, status: .ok)
        do {
            truncate(partial, off_t(header.size))
            let digest = try CopyHandler.digest(partial, size: header.size)
            if digest == header.sha256 {
                // Marked done first, so a late copy of a chunk cannot bring the partial file back.
                let marker = Self.doneMarker(header.copyID, context: context)
                try FileSystem.makeDirectory(context.dataDirectory + "/copies")
                try FileSystem.write(Array(destination.utf8), to: marker)
                try FileSystem.rename(partial, to: destination)
                FileSystem.remove(partial + ".chunks")
                result.stdout = "copied \(header.size) bytes to \(context.node):\(destination) (sha256 \(digest))"
            } else {
                result.status = .error
                result.error = "copy to \(destination): the whole file's SHA-256 is \(digest), expected \(header.sha256)"
            }
        } catch {
            result.status = .error
            result.error = "copy to \(destination): \(error)"
        }
        result.exitCode = result.status == .ok ? 0 : 1
        try? context.sendResult(result, for: header.copyID, to: header.origin)
    }

    /// `<data-dir>/copies/<copy id>.done`: the copy finished here.
    private static func doneMarker(_ copyID: String, context: HandlerContext) -> String {
        "\(context.dataDirectory)/copies/\(copyID).done"
    }

    private static func write(_ bytes: [UInt8], to path: String, at offset: Int) throws(ReadFailure) {
        let fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ReadFailure(path: path, operation: "opening", errno: errno) }
        defer { close(fd) }
        var done = 0
        while done < bytes.count {
            let wrote = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress! + done, bytes.count - done, off_t(offset + done)) }
            if wrote < 0, errno == EINTR { continue }
            guard wrote > 0 else { throw ReadFailure(path: path, operation: "writing", errno: errno) }
            done += wrote
        }
        guard fsync(fd) == 0 else { throw ReadFailure(path: path, operation: "syncing", errno: errno) }
    }
}
