import FlyingSocks
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif
import Shared
import Synchronization

/// `GET /metrics` on `--metrics ADDR` for the central engine (console or --headless), until cancelled.
///
/// The sockets are FlyingSocks' (non-blocking, on an epoll pool); the HTTP is this file's: one route, a request
/// head read whole (at most ``largestHead`` bytes, within ``readTimeout``), one response, the connection closed.
/// FlyingFox's server would do the same but links FoundationNetworking, and with it 28 more libraries (libcurl among
/// them), into every `bosun` process: about 5 MB of the central's resident memory, for one route.
enum MetricsEndpoint {
    /// A request head larger than this is refused (431): a scraper's is a few hundred bytes.
    static let largestHead = 8 * 1024
    /// A connection is closed this long after it was accepted, answered or not: a client that has not sent its whole
    /// request head by then, or not read its answer, holds no slot for longer.
    static let readTimeout: Duration = .seconds(10)
    /// Connections served at once; one more is closed as soon as it is accepted, so a flood of them costs no memory.
    static let mostConnections = 32

    /// The connections being served.
    private final class OpenConnections: Sendable {
        let count = Atomic<Int>(0)
    }

    static func run(_ address: MetricsAddress, runtime: NodeRuntime) async throws {
        let metrics = CentralMetrics(store: runtime.store, dataDirectory: runtime.configuration.dataDirectory)
        let token = runtime.outbox.addObserver { metrics.observe($0) }
        defer { runtime.outbox.removeObserver(token) }
        let socket = try listening(on: address)
        defer { try? socket.close() }
        let pool: some AsyncSocketPool = .ePoll()
        try await pool.prepare()
        let listener = try AsyncSocket(socket: socket, pool: pool)
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await pool.run() }
                group.addTask { await accept(on: listener) { metrics.exposition() } }
                // Either ending ends both: the pool without its listener, or the listener (cancelled) without its pool.
                try await group.next()
                group.cancelAll()
            }
        } catch is CancellationError {
            // Stopped with the engine.
        }
    }

    /// Serves each connection `listener` accepts, at most ``mostConnections`` at once, until cancelled. A failed
    /// accept (a client gone before it was taken, no descriptor left) is not the end: it tries again shortly.
    private static func accept(on listener: AsyncSocket, exposition: @escaping @Sendable () -> String) async {
        let open = OpenConnections()
        await withDiscardingTaskGroup { connections in
            while !Task.isCancelled {
                let client: AsyncSocket
                do {
                    client = try await listener.accept()
                } catch {
                    try? await Task.sleep(for: .milliseconds(100))
                    continue
                }
                guard open.count.add(1, ordering: .relaxed).newValue <= mostConnections else {
                    open.count.subtract(1, ordering: .relaxed)
                    try? client.close()
                    continue
                }
                connections.addTask {
                    await serve(client, exposition: exposition)
                    open.count.subtract(1, ordering: .relaxed)
                }
            }
        }
    }

    /// The listening socket; the error names the option (`--metrics 127.0.0.1:9464: cannot listen: Address already
    /// in use`).
    private static func listening(on address: MetricsAddress) throws(TargetError) -> Socket {
        do {
            return address.isIPv6
                ? try listening(on: sockaddr_in6.inet6(ip6: address.host, port: address.port))
                : try listening(on: sockaddr_in.inet(ip4: address.host, port: address.port))
        } catch SocketError.failed(_, _, let message) {
            throw TargetError("--metrics \(address): cannot listen: \(message)")
        } catch {
            throw TargetError("--metrics \(address): cannot listen: \(error)")
        }
    }

    private static func listening(on address: some SocketAddress) throws -> Socket {
        let socket = try Socket(domain: Int32(type(of: address).family))
        do {
            try socket.setValue(true, for: .localAddressReuse)
            try socket.bind(to: address)
        } catch {
            try? socket.close()
            throw error
        }
        // A failed listen closes the socket itself: closing it again could close a descriptor opened since.
        try socket.listen()
        return socket
    }

    /// Answers one request on `client`, then closes it; all within ``readTimeout``, so a client that sends nothing
    /// whole in time, or does not read its answer, is closed without one.
    private static func serve(_ client: AsyncSocket, exposition: @escaping @Sendable () -> String) async {
        defer { try? client.close() }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                guard let head = try? await readHead(client) else { return }
                try? await client.write(Data(Answer(head: head).bytes(exposition: exposition)))
            }
            group.addTask { try? await Task.sleep(for: readTimeout) }
            await group.next()
            group.cancelAll()
        }
    }

    /// Bytes up to the end of the request head (a blank line), or the first ``largestHead`` + 1 if there is no end
    /// by then (refused as too large).
    private static func readHead(_ client: AsyncSocket) async throws -> [UInt8] {
        var head: [UInt8] = []
        var searched = 0
        while head.count <= largestHead {
            head += try await client.read(atMost: largestHead + 1 - head.count)
            if Answer.endOfHead(in: head, from: searched) != nil { break }
            searched = max(0, head.count - 3)
        }
        return head
    }

    /// What a request head is answered with.
    struct Answer: Equatable {
        var status: Int
        var reason: String
        /// The body for anything but 200 (whose body is the exposition, made only then: ``bytes(exposition:)``).
        var body: [UInt8]
        /// HEAD: the headers only.
        var headersOnly = false
        var allow: String?

        static let route = "/metrics"
        static let contentType = "text/plain; version=0.0.4; charset=utf-8"

        /// Where the request head in `bytes` ends (the index after its blank line), searching from `start`. Lines may
        /// end in CRLF or a bare LF; empty lines before the request line, which a server should skip, do not end it.
        static func endOfHead(in bytes: [UInt8], from start: Int = 0) -> Int? {
            var index = max(start, bytes.firstIndex { $0 != 13 && $0 != 10 } ?? bytes.endIndex)
            while index < bytes.count {
                if bytes[index] == 10 {
                    var next = index + 1
                    if next < bytes.count, bytes[next] == 13 { next += 1 }
                    if next < bytes.count, bytes[next] == 10 { return next + 1 }
                }
                index += 1
            }
            return nil
        }

        init(status: Int, reason: String, body: String = "", allow: String? = nil) {
            self.status = status
            self.reason = reason
            self.body = Array(body.utf8)
            self.allow = allow
        }

        /// The answer to `head`, the bytes of a request up to its blank line. HEAD is answered without a body,
        /// whatever the status.
        init(head: [UInt8]) {
            let firstLine = head.drop { $0 == 13 || $0 == 10 }.prefix { $0 != 13 && $0 != 10 }
            let parts = firstLine.split(separator: 32, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
            self = Self.answer(head: head, requestLine: parts)
            headersOnly = parts.first == "HEAD"
        }

        private static func answer(head: [UInt8], requestLine parts: [String]) -> Answer {
            guard let end = endOfHead(in: head), end <= MetricsEndpoint.largestHead else {
                return Answer(status: 431, reason: "Request Header Fields Too Large",
                    body: "request head larger than \(MetricsEndpoint.largestHead) bytes\n")
            }
            guard parts.count == 3, parts[2].hasPrefix("HTTP/1."), !parts[0].isEmpty, let path = path(of: parts[1]) else {
                return Answer(status: 400, reason: "Bad Request", body: "expected a request line: METHOD /path HTTP/1.x\n")
            }
            guard path == route else {
                return Answer(status: 404, reason: "Not Found", body: "not found: \(path) (metrics are at \(route))\n")
            }
            switch parts[0] {
            case "GET", "HEAD": return Answer(status: 200, reason: "OK")
            default:
                return Answer(status: 405, reason: "Method Not Allowed", body: "\(parts[0]) \(route): use GET\n",
                    allow: "GET, HEAD")
            }
        }

        /// The path of a request target, origin form (`/metrics?x=1`) or absolute (`http://host:9464/metrics`); nil
        /// for anything else.
        static func path(of target: String) -> Substring? {
            var rest = Substring(target)
            if let scheme = rest.range(of: "://"), ["http", "https"].contains(rest[..<scheme.lowerBound].lowercased()) {
                rest = rest[scheme.upperBound...]
                rest = rest.firstIndex(of: "/").map { rest[$0...] } ?? "/"
            }
            guard rest.hasPrefix("/") else { return nil }
            return rest.prefix { $0 != "?" }
        }

        /// The whole response, for a connection closed after it: a 200's body is `exposition`, made only then.
        func bytes(exposition: () -> String) -> [UInt8] {
            let body = status == 200 ? Array(exposition().utf8) : self.body
            var lines = [
                "HTTP/1.1 \(status) \(reason)",
                "Content-Type: \(status == 200 ? Self.contentType : "text/plain; charset=utf-8")",
                "Content-Length: \(body.count)",
                "Connection: close",
            ]
            if let allow { lines.append("Allow: \(allow)") }
            let head = Array((lines.joined(separator: "\r\n") + "\r\n\r\n").utf8)
            return headersOnly ? head : head + body
        }
    }
}
