/// What a finished `httpGet` transfer got.
struct HTTPResponse: Sendable, Equatable {
    /// The final response's status code (after redirects).
    var status: Int
    /// The final response's status line and header lines, as received (CRLF line ends, a blank line last).
    var headers: [UInt8]
    var body: [UInt8]
    /// Whether the body went on past the limit (the rest was not read).
    var truncated: Bool
    /// The URL the body came from, after redirects.
    var finalURL: String
    var redirects: Int
}

/// Why a transfer got no response: libcurl's reason (refused, timed out, certificate not trusted, …), or that
/// it was cancelled.
struct HTTPFailure: Error, Sendable, Equatable, CustomStringConvertible {
    var description: String
}
