import CCurl
import Shared

/// One GET through libcurl, performed on the calling thread, which it blocks until the transfer ends: run it on
/// a thread of its own (``HTTPTransfers``), never on the cooperative pool.
///
/// libcurl brings HTTP/1.1 and HTTP/2, TLS against the system's certificate store, redirects, IPv6 and the
/// proxy variables of the environment (`http_proxy`, `https_proxy`, `no_proxy`).
struct CurlTransfer {
    let request: HTTPRequest
    /// Cancelled from another thread; libcurl's progress callback looks at it at least once a second.
    let control: TransferControl

    func perform() throws(HTTPFailure) -> HTTPResponse {
        if let failure = CurlLibrary.failure { throw HTTPFailure(description: failure) }
        guard let handle = bosun_curl_easy_init() else {
            throw HTTPFailure(description: "libcurl cannot start a transfer")
        }
        defer { bosun_curl_easy_cleanup(handle) }
        var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        let sink = TransferSink(limit: request.bodyLimit, control: control)
        let code = withExtendedLifetime(sink) {
            errorBuffer.withUnsafeMutableBufferPointer { buffer in
                let configured = configure(
                    handle, sink: Unmanaged.passUnretained(sink).toOpaque(), errors: buffer.baseAddress!)
                return configured == CURLE_OK ? bosun_curl_easy_perform(handle) : configured
            }
        }
        if sink.cancelledTransfer { throw HTTPFailure(description: "cancelled: the agent is stopping") }
        // A body past the limit ends the transfer from the write callback: that is a response, cut.
        guard code == CURLE_OK || (code == CURLE_WRITE_ERROR && sink.truncated) else {
            let detail = String(decoding: errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw HTTPFailure(description: detail.isEmpty ? String(cString: bosun_curl_easy_strerror(code)) : detail)
        }
        var status = 0
        var redirects = 0
        var finalURL: UnsafePointer<CChar>?
        _ = bosun_curl_get_long(handle, CURLINFO_RESPONSE_CODE, &status)
        _ = bosun_curl_get_long(handle, CURLINFO_REDIRECT_COUNT, &redirects)
        _ = bosun_curl_get_string(handle, CURLINFO_EFFECTIVE_URL, &finalURL)
        return HTTPResponse(
            status: status, headers: sink.headers, body: sink.body, truncated: sink.truncated,
            finalURL: finalURL.map { String(cString: $0) } ?? request.url, redirects: redirects)
    }

    private func configure(
        _ handle: UnsafeMutableRawPointer, sink: UnsafeMutableRawPointer, errors: UnsafeMutablePointer<CChar>
    ) -> CURLcode {
        let milliseconds = { (seconds: Double) in Int(seconds * 1000) }
        var results = [
            bosun_curl_set_pointer(handle, CURLOPT_ERRORBUFFER, errors),
            bosun_curl_set_string(handle, CURLOPT_URL, request.url),
            bosun_curl_set_string(handle, CURLOPT_PROTOCOLS_STR, "http,https"),
            bosun_curl_set_string(handle, CURLOPT_REDIR_PROTOCOLS_STR, "http,https"),
            bosun_curl_set_long(handle, CURLOPT_FOLLOWLOCATION, 1),
            bosun_curl_set_long(handle, CURLOPT_MAXREDIRS, request.maxRedirects),
            bosun_curl_set_long(handle, CURLOPT_CONNECTTIMEOUT_MS, milliseconds(request.connectTimeout)),
            bosun_curl_set_long(handle, CURLOPT_TIMEOUT_MS, milliseconds(request.timeout)),
            // No signals from libcurl's resolver: the agent is multi-threaded.
            bosun_curl_set_long(handle, CURLOPT_NOSIGNAL, 1),
            bosun_curl_set_string(handle, CURLOPT_USERAGENT, "bosun-agent/\(BosunVersion.current)"),
            bosun_curl_set_string(handle, CURLOPT_ACCEPT_ENCODING, ""),
            bosun_curl_set_data_function(handle, CURLOPT_WRITEFUNCTION, receiveBody),
            bosun_curl_set_pointer(handle, CURLOPT_WRITEDATA, sink),
            bosun_curl_set_data_function(handle, CURLOPT_HEADERFUNCTION, receiveHeader),
            bosun_curl_set_pointer(handle, CURLOPT_HEADERDATA, sink),
            bosun_curl_set_progress_function(handle, checkCancelled),
            bosun_curl_set_pointer(handle, CURLOPT_XFERINFODATA, sink),
        ]
        if let caFile = request.caFile { results.append(bosun_curl_set_string(handle, CURLOPT_CAINFO, caFile)) }
        if request.insecure {
            results.append(bosun_curl_set_long(handle, CURLOPT_SSL_VERIFYPEER, 0))
            results.append(bosun_curl_set_long(handle, CURLOPT_SSL_VERIFYHOST, 0))
        }
        return results.first { $0 != CURLE_OK } ?? CURLE_OK
    }
}

/// What the callbacks of one transfer fill in; reached from them through libcurl's `void *` user data.
private final class TransferSink {
    let limit: Int
    let control: TransferControl
    var body: [UInt8] = []
    var headers: [UInt8] = []
    var truncated = false
    var cancelledTransfer = false

    init(limit: Int, control: TransferControl) {
        self.limit = limit
        self.control = control
    }

    static func from(_ pointer: UnsafeMutableRawPointer?) -> TransferSink {
        Unmanaged<TransferSink>.fromOpaque(pointer!).takeUnretainedValue()
    }
}

/// Keeps the body up to the limit; past it, ends the transfer (a count other than the one given stops libcurl).
private func receiveBody(
    _ bytes: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ sink: UnsafeMutableRawPointer?
) -> Int {
    let sink = TransferSink.from(sink)
    let length = size * count
    let room = sink.limit - sink.body.count
    guard let bytes, length > 0 else { return length }
    sink.body.append(contentsOf: UnsafeRawBufferPointer(start: bytes, count: min(length, max(0, room))))
    guard length <= room else {
        sink.truncated = true
        return 0
    }
    return length
}

/// Keeps the header lines of the last response only: each status line (a redirect, a `100 Continue`) starts over.
private func receiveHeader(
    _ bytes: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ sink: UnsafeMutableRawPointer?
) -> Int {
    let sink = TransferSink.from(sink)
    let line = UnsafeRawBufferPointer(start: bytes, count: size * count)
    if line.starts(with: "HTTP/".utf8) { sink.headers.removeAll() }
    sink.headers.append(contentsOf: line)
    return size * count
}

/// libcurl calls this at least once a second while the transfer runs; non-zero ends it.
private func checkCancelled(
    _ sink: UnsafeMutableRawPointer?, _: curl_off_t, _: curl_off_t, _: curl_off_t, _: curl_off_t
) -> Int32 {
    let sink = TransferSink.from(sink)
    guard sink.control.isCancelled else { return 0 }
    sink.cancelledTransfer = true
    return 1
}
