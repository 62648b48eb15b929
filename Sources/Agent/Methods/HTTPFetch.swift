import Shared

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A plain `http://` GET over a socket: what `httpGet` needs on an edge node, without Foundation's networking.
///
/// HTTP/1.0 with `Connection: close`, so the body is simply everything after the headers. `https://` is refused
/// with a clear error (fetch TLS endpoints with `cliCommand` and curl).
struct HTTPFetch {
    struct Response: Sendable, Equatable {
        var status: Int
        var body: [UInt8]
        var truncated: Bool
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    struct Target: Equatable {
        var host: String
        var port: UInt16
        var path: String
    }

    /// Splits `http://host[:port][/path]`.
    static func parse(_ url: String) throws(Failure) -> Target {
        guard url.hasPrefix("http://") else {
            throw Failure(description: "only http:// URLs are fetched (got \(url))")
        }
        let rest = url.dropFirst("http://".count)
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = rest[..<slash]
        let path = slash == rest.endIndex ? "/" : String(rest[slash...])
        var host = String(authority)
        var port: UInt16 = 80
        if let colon = authority.lastIndex(of: ":") {
            guard let number = UInt16(authority[authority.index(after: colon)...]) else {
                throw Failure(description: "bad port in \(url)")
            }
            host = String(authority[..<colon])
            port = number
        }
        guard !host.isEmpty, !host.contains("@") else { throw Failure(description: "bad host in \(url)") }
        return Target(host: host, port: port, path: path)
    }

    /// Fetches `url`, giving up after `timeout` seconds; keeps at most `limit` bytes of the body.
    static func get(_ url: String, timeout: Double, limit: Int) throws(Failure) -> Response {
        let target = try parse(url)
        let deadline = Timestamp.now.adding(seconds: timeout)
        let fd = try connect(target)
        defer { close(fd) }
        let request = "GET \(target.path) HTTP/1.0\r\nHost: \(target.host)\r\nUser-Agent: bosun-agent/\(BosunVersion.current)\r\nConnection: close\r\n\r\n"
        var bytes = Array(request.utf8)
        while !bytes.isEmpty {
            let sent = send(fd, bytes, bytes.count, Int32(MSG_NOSIGNAL))
            guard sent > 0 else { throw Failure(description: "sending to \(target.host): \(String(cString: strerror(errno)))") }
            bytes.removeFirst(sent)
        }
        var received: [UInt8] = []
        var truncated = false
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let left = deadline.millisecondsSinceEpoch - Timestamp.now.millisecondsSinceEpoch
            guard left > 0 else { throw Failure(description: "no complete answer from \(url) within \(timeout) s") }
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, Int32(clamping: left)) > 0 else { continue }
            let count = recv(fd, &buffer, buffer.count, 0)
            if count == 0 { break }
            guard count > 0 else { throw Failure(description: "reading from \(target.host): \(String(cString: strerror(errno)))") }
            received.append(contentsOf: buffer[..<count])
            if received.count > limit + 64 * 1024 {
                truncated = true
                break
            }
        }
        return try response(received, limit: limit, truncated: truncated)
    }

    /// Reads the status line and drops the headers.
    static func response(_ bytes: [UInt8], limit: Int, truncated: Bool) throws(Failure) -> Response {
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        guard let end = bytes.indices.first(where: { bytes[$0...].starts(with: separator) }) else {
            throw Failure(description: "the answer has no complete HTTP header")
        }
        let statusLine = String(decoding: bytes[..<(bytes.firstIndex(of: UInt8(ascii: "\r")) ?? end)], as: UTF8.self)
        let fields = statusLine.split(separator: " ")
        guard fields.count >= 2, fields[0].hasPrefix("HTTP/"), let status = Int(fields[1]) else {
            throw Failure(description: "not an HTTP answer: \(statusLine.prefix(80))")
        }
        var body = Array(bytes[(end + separator.count)...])
        var cut = truncated
        if body.count > limit {
            body.removeLast(body.count - limit)
            cut = true
        }
        return Response(status: status, body: body, truncated: cut)
    }

    private static func connect(_ target: Target) throws(Failure) -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
            hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(target.host, String(target.port), &hints, &list)
        guard status == 0, let list else {
            throw Failure(description: "cannot resolve \(target.host): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(list) }
        var entry: UnsafeMutablePointer<addrinfo>? = list
        while let current = entry {
            let fd = socket(current.pointee.ai_family, current.pointee.ai_socktype, current.pointee.ai_protocol)
            if fd >= 0 {
                if Glibc.connect(fd, current.pointee.ai_addr, current.pointee.ai_addrlen) == 0 { return fd }
                close(fd)
            }
            entry = current.pointee.ai_next
        }
        throw Failure(description: "cannot connect to \(target.host):\(target.port): \(String(cString: strerror(errno)))")
    }
}

/// `httpGet` (EventACK), the scraper of the seed: ACKs on receipt, then fetches `methodArgs[0]` and sends the
/// body back to the sender as a later result (``HandlerContext/sendResult(_:of:)``): `stdout` the body,
/// `exitCode` the HTTP status, status `error` for a failed fetch or an HTTP status of 400 or more.
struct HTTPGetHandler: CheckedMethod {
    func check(_ message: Message, context: HandlerContext) throws(ArgumentError) -> String {
        let arguments = message.methodArgs ?? []
        guard arguments.count == 1 else {
            throw ArgumentError("methodArgs", "httpGet takes one URL, got \(arguments.count) arguments")
        }
        do {
            _ = try HTTPFetch.parse(arguments[0])
        } catch {
            throw ArgumentError("methodArgs[0]", error.description)
        }
        if let timeout = message.methodTimeout, timeout <= 0 {
            throw ArgumentError("methodTimeout", "must be more than 0 seconds, got \(timeout)")
        }
        return arguments[0]
    }

    func run(_ url: String, message: Message, context: HandlerContext) async -> Reply {
        let timeout = message.methodTimeout ?? DeliveryDefaults.standard.methodTimeout
        Task.detached {
            let startedAt = Timestamp.now
            var result = context.reply(to: message, .ok)
            do {
                let response = try HTTPFetch.get(url, timeout: timeout, limit: OutputDefaults.captureLimit)
                result.exitCode = Int32(response.status)
                result.stdout = String(decoding: response.body, as: UTF8.self)
                result.truncated = response.truncated ? true : nil
                if response.status >= 400 {
                    result.status = .error
                    result.error = "HTTP \(response.status) from \(url)"
                }
            } catch {
                result.status = .error
                result.error = "httpGet \(url): \(error)"
            }
            result.startedAt = startedAt
            result.finishedAt = .now
            try? context.sendResult(result, of: message)
        }
        return context.reply(to: message, .ok, stdout: "fetching \(url)")
    }
}
