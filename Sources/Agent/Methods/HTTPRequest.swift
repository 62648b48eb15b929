import CCurl

/// One checked `httpGet`: the URL and how to fetch it.
struct HTTPRequest: Sendable, Equatable {
    var url: String
    /// A PEM file of certificate authorities to trust instead of the system's store (`--cacert`).
    var caFile: String?
    /// Skips the server's certificate check (`--insecure`, only where the agent allows it).
    var insecure = false
    var maxRedirects = HTTPDefaults.maxRedirects
    /// Whether the final response's status line and headers come before the body (`--include`).
    var includeHeaders = false
    /// Seconds for the whole transfer (the message's `methodTimeout`).
    var timeout: Double
    /// Bytes of body kept; the rest is not read.
    var bodyLimit = HTTPDefaults.bodyLimit

    /// Seconds to connect (name resolution and TLS handshake included): at most ``HTTPDefaults/connectTimeout``,
    /// never more than the whole transfer may take.
    var connectTimeout: Double { min(timeout, HTTPDefaults.connectTimeout) }

    /// Checks that `text` is an `http://` or `https://` URL with a host, as libcurl parses it; returns why not.
    /// libcurl must be loaded (``CurlLibrary/failure``).
    static func refusal(ofURL text: String) -> String? {
        guard let handle = bosun_curl_url() else { return "cannot parse URLs (out of memory)" }
        defer { bosun_curl_url_cleanup(handle) }
        let parsed = bosun_curl_url_set(handle, CURLUPART_URL, text, 0)
        guard parsed == CURLUE_OK else {
            return "not a URL libcurl accepts (\(String(cString: bosun_curl_url_strerror(parsed)))): \"\(text)\""
        }
        guard let scheme = part(handle, CURLUPART_SCHEME), scheme == "http" || scheme == "https" else {
            return "must be an http:// or https:// URL, got \"\(text)\""
        }
        guard let host = part(handle, CURLUPART_HOST), !host.isEmpty else { return "has no host: \"\(text)\"" }
        return nil
    }

    private static func part(_ handle: OpaquePointer, _ which: CURLUPart) -> String? {
        var value: UnsafeMutablePointer<CChar>?
        guard bosun_curl_url_get(handle, which, &value, 0) == CURLUE_OK, let value else { return nil }
        defer { bosun_curl_free(value) }
        return String(cString: value)
    }
}
