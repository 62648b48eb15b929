import CCurl

/// libcurl, loaded into the agent on the first `httpGet` (not at start: linked, it and what it pulls in would add
/// about 4 MB to the RSS of every agent, most of which never fetch anything).
enum CurlLibrary {
    /// Loads libcurl if it is not yet; nil once it is ready, else why it cannot be (not installed, say).
    static var failure: String? {
        bosun_curl_load().map { String(cString: $0) }
    }
}
