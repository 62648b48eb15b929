import FlyingSocks

/// Where `--metrics` serves: `HOST:PORT`, `:PORT` (127.0.0.1), `[::1]:PORT`.
struct MetricsAddress: Sendable, Equatable, CustomStringConvertible {
    var host: String
    var port: UInt16

    /// Parses `text`; the error names the option and the expected form.
    init(_ text: String) throws(TargetError) {
        let problem = TargetError("--metrics \(text): give HOST:PORT, :PORT or [IPv6]:PORT, e.g. 127.0.0.1:9464")
        guard let colon = text.lastIndex(of: ":"), let port = UInt16(text[text.index(after: colon)...]) else {
            throw problem
        }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if host.isEmpty || host == "localhost" { host = "127.0.0.1" }
        guard !host.contains("[") else { throw problem }
        self.host = host
        self.port = port
    }

    var isIPv6: Bool { host.contains(":") }

    var description: String { isIPv6 ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
