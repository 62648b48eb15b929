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
    /// A client that has not sent its whole request head by then is disconnected.
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
        let pool: some AsyncSocketPool = .ePoll()
        try await pool.prepare()
        let socket = try listening(on: address)
        defer { try? socket.close() }
        let listener = try AsyncSocket(socket: socket, pool: pool)
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await pool.run() }
                group.addTask {
                    let open = OpenConnections()
                    try await withThrowingDiscardingTaskGroup { connections in
                        for try await client in listener.sockets {
                            guard open.count.add(1, ordering: .relaxed).newValue <= mostConnections else {
                                open.count.subtract(1, ordering: .relaxed)
                                try? client.close()
                                continue
                            }
                            connections.addTask {
                                await serve(client) { metrics.exposition() }
                                open.count.subtract(1, ordering: .relaxed)
                            }
                        }
                    }
                }
                // Either ending ends both: the pool without its listener, or the listener without its pool.
                try await group.next()
                group.cancelAll()
            }
        } catch is CancellationError {
            // Stopped with the engine.
        }
    }

    /// The listening socket; the error names the option (`--metrics 127.0.0.1:9464: cannot listen: …`).
    private static func listening(on address: MetricsAddress) throws(TargetError) -> Socket {
        do {
            return address.isIPv6
                ? try listening(on: sockaddr_in6.inet6(ip6: address.host, port: address.port))
                : try listening(on: sockaddr_in.inet(ip4: address.host, port: address.port))
        } catch {
            throw TargetError("--metrics \(address): cannot listen: \(error)")
        }
    }

    private static func listening(on address: some SocketAddress) throws -> Socket {
        let socket = try Socket(domain: Int32(type(of: address).family))
        do {
            try socket.setValue(true, for: .localAddressReuse)
            try socket.bind(to: address)
            try socket.listen()
        } catch {
            try? socket.close()
            throw error
        }
        return socket
    }

    /// Answers one request on `client`, then closes it. A client that sends nothing whole in time, or goes away,
    /// is closed without an answer.
    private static func serve(_ client: AsyncSocket, exposition: @escaping @Sendable () -> String) async {
        defer { try? client.close() }
        do {
            let head = try await withThrowingTaskGroup(of: [UInt8]?.self) { group in
                group.addTask { try await readHead(client) }
                group.addTask {
                    try await Task.sleep(for: readTimeout)
                    return nil
                }
                let first = try await group.next() ?? nil
                group.cancelAll()
                return first
            }
            guard let head else { return }
            let answer = Answer(head: head)
            let body = answer.status == 200 ? Array(exposition().utf8) : answer.body
            try await client.write(Data(answer.bytes(body: body)))
        } catch {
            // The client went away, or the engine stopped: nothing to answer.
        }
    }

    /// Bytes up to the end of the request head (`\r\n\r\n`), or the first ``largestHead`` + 1 if there is no end
    /// by then (refused as too large).
    private static func readHead(_ client: AsyncSocket) async throws -> [UInt8] {
        var head: [UInt8] = []
        while !Answer.hasEnd(head), head.count <= largestHead {
            head += try await client.read(atMost: largestHead + 1 - head.count)
        }
        return head
    }

    /// What a request head is answered with.
    struct Answer: Equatable {
        var status: Int
        var reason: String
        /// The body for anything but 200 (whose body is the exposition, made only then).
        var body: [UInt8]
        /// HEAD: the headers only.
        var headersOnly = false
        var allow: String?

        static let route = "/metrics"
        static let contentType = "text/plain; version=0.0.4; charset=utf-8"

        static func hasEnd(_ head: [UInt8]) -> Bool {
            head.count >= 4 && head.indices.dropLast(3).contains { index in
                head[index] == 13 && head[index + 1] == 10 && head[index + 2] == 13 && head[index + 3] == 10
            }
        }

        init(status: Int, reason: String, body: String = "", headersOnly: Bool = false, allow: String? = nil) {
            self.status = status
            self.reason = reason
            self.body = Array(body.utf8)
            self.headersOnly = headersOnly
            self.allow = allow
        }

        /// The answer to `head`, the bytes of a request up to its blank line.
        init(head: [UInt8]) {
            guard Self.hasEnd(head), head.count <= MetricsEndpoint.largestHead + 4 else {
                self.init(status: 431, reason: "Request Header Fields Too Large",
                    body: "request head larger than \(MetricsEndpoint.largestHead) bytes\n")
                return
            }
            let firstLine = head.prefix { $0 != 13 && $0 != 10 }
            let parts = firstLine.split(separator: 32, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
            guard parts.count == 3, parts[2].hasPrefix("HTTP/1."), !parts[0].isEmpty, parts[1].hasPrefix("/") else {
                self.init(status: 400, reason: "Bad Request", body: "expected a request line: METHOD /path HTTP/1.x\n")
                return
            }
            let path = parts[1].prefix { $0 != "?" }
            guard path == Self.route else {
                self.init(status: 404, reason: "Not Found", body: "not found: \(path) (metrics are at \(Self.route))\n")
                return
            }
            switch parts[0] {
            case "GET": self.init(status: 200, reason: "OK")
            case "HEAD": self.init(status: 200, reason: "OK", headersOnly: true)
            default:
                self.init(status: 405, reason: "Method Not Allowed", body: "\(parts[0]) \(Self.route): use GET\n",
                    allow: "GET, HEAD")
            }
        }

        /// The whole response with `body`, for a connection closed after it.
        func bytes(body: [UInt8]) -> [UInt8] {
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
