import Dispatch
import Logging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The unix socket input, `<data-dir>/bosun.sock`: a client writes one message object or a JSON array of them
/// and gets back one JSON line per accepted message (`{"id":…,"toNode":…}`), or one `{"error":…}` line.
///
/// The input ends when it is a complete JSON value or when the client shuts down its side. It goes through the
/// same parser and error path as `inmsg.txt` and `inbox/` (``InputIntake``): all of it is accepted or none,
/// and refused input is kept in `rejected/` and reported. The socket is for the node's owner and group (0660).
public struct SocketInput: Sendable {
    let intake: InputIntake
    let logger: Logger
    /// The most one connection may send.
    var inputLimit = 16 * 1024 * 1024
    /// How long a client may take to send its input.
    var readTimeout: Duration = .seconds(30)

    public init(intake: InputIntake, logger: Logger) {
        self.intake = intake
        self.logger = logger
    }

    public var path: String { intake.dataDirectory + "/bosun.sock" }

    /// Listens until cancelled; logs and returns if the socket cannot be made (the other inputs go on).
    public func run() async throws {
        let listener: Int32
        do {
            listener = try listen()
        } catch {
            logger.error("no socket input: \(error)")
            return
        }
        // Woken by the kernel when a client connects: no polling while idle.
        let (pending, signal) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let source = DispatchSource.makeReadSource(fileDescriptor: listener, queue: .global())
        source.setEventHandler { signal.yield() }
        source.setCancelHandler { close(listener) }
        source.resume()
        defer {
            source.cancel()
            signal.finish()
            unlink(path)
        }
        logger.debug("socket input listening", metadata: ["path": "\(path)"])
        await withDiscardingTaskGroup { group in
            for await _ in pending {
                while case let client = accept(listener, nil, nil), client >= 0 {
                    _ = fcntl(client, F_SETFD, FD_CLOEXEC)
                    _ = fcntl(client, F_SETFL, O_NONBLOCK)
                    group.addTask { await self.serve(client) }
                }
            }
        }
    }

    private func listen() throws(SocketError) -> Int32 {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard path.utf8.count < capacity else {
            throw SocketError("\(path) is longer than the \(capacity - 1) bytes a socket path may have")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: path.utf8)
            raw[path.utf8.count] = 0
        }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SocketError("socket: \(String(cString: strerror(errno)))") }
        // A socket file left by a process that died; the data directory's lock says none other runs here.
        unlink(path)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0, chmod(path, 0o660) == 0, Glibc.listen(fd, 16) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw SocketError("\(path): \(reason)")
        }
        return fd
    }

    /// Reads one input from a client, accepts it, answers and closes.
    private func serve(_ client: Int32) async {
        defer { close(client) }
        let input = ClientInput(limit: inputLimit)
        // Read as the kernel says bytes arrived, until the input is whole, the client shuts down, or time is up.
        let finished = await DescriptorWait.run(client, .read, timeout: readTimeout) { input.readAvailable(from: client) }
        switch (finished, input.status) {
        case (false, _), (_, .reading):
            return await answer(client, [Line(error: "socket \(path): no complete input within \(readTimeout)")])
        case (_, .tooLarge):
            return await answer(client, [Line(error: "socket \(path): input larger than \(inputLimit) bytes")])
        case (_, .failed):
            return
        case (_, .complete):
            break
        }
        let bytes = input.bytes
        // A connection that sent nothing (a probe) leaves no trace in rejected/.
        guard bytes.contains(where: { !JSONFraming.isSpace($0) }) else { return }
        switch intake.take(bytes: bytes, shownAs: "socket \(path)", keepName: "socket.json") {
        case .success(let records):
            await answer(client, records.map { Line(id: $0.id, toNode: $0.message.toNode) })
        case .failure(let error):
            await answer(client, [Line(error: error.description)])
        }
    }

    /// One line of the answer.
    private struct Line: Encodable {
        var id: String?
        var toNode: String?
        var error: String?
    }

    /// Writes the answer as the client takes it (a slow reader is waited for, without polling, up to the timeout).
    private func answer(_ client: Int32, _ lines: [Line]) async {
        var bytes: [UInt8] = []
        for line in lines {
            bytes += ((try? JSONLines.encoder.encode(line)).map(Array.init) ?? []) + [UInt8(ascii: "\n")]
        }
        let output = ClientOutput(bytes)
        _ = await DescriptorWait.run(client, .write, timeout: readTimeout) { output.writeAvailable(to: client) }
    }
}

/// Why the socket input could not start.
struct SocketError: Error, Sendable, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Tells when bytes hold one whole JSON object or array, without parsing it: brackets counted outside strings.
enum JSONFraming {
    static func isComplete(_ bytes: [UInt8]) -> Bool {
        guard let last = bytes.last(where: { !isSpace($0) }), last == UInt8(ascii: "]") || last == UInt8(ascii: "}")
        else { return false }
        var depth = 0
        var inString = false
        var escaped = false
        var started = false
        for byte in bytes {
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                started = true
            case UInt8(ascii: "]"), UInt8(ascii: "}"): depth -= 1
            default: break
            }
        }
        return started && depth <= 0 && !inString
    }

    static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }
}
