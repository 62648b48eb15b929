import Shared

/// `httpGet` (EventACK), the scraper of the seed: `methodArgs: [--include] [--cacert=FILE] [--insecure]
/// [--max-redirects=N] <url>`.
///
/// ACKs on receipt, then fetches the URL through libcurl on a thread of its own (``HTTPTransfers``) and sends
/// the answer back to the sender as a later result (``HandlerContext/sendResult(_:of:)``): `stdout` the body,
/// `exitCode` the HTTP status, `stderr` the final URL, status `error` for a failed transfer or a status of 400
/// or more. `methodTimeout` bounds the whole transfer.
struct HTTPGetHandler: CheckedMethod {
    let transfers: HTTPTransfers
    /// Whether `--insecure` may turn off the server certificate check (the agent's `allowInsecureTLS`).
    var allowInsecureTLS = false

    var spec: ArgumentSpec {
        ArgumentSpec(
            method: Method.httpGet.rawValue,
            options: ["include": .flag, "cacert": .text, "insecure": .flag, "max-redirects": .count],
            positional: ["url"])
    }

    func check(_ message: Message, context: HandlerContext) throws(ArgumentError) -> HTTPRequest {
        let arguments = message.methodArgs ?? []
        let parsed = try spec.parse(arguments, data: message.data, methodTimeout: message.methodTimeout)
        let timeout = message.methodTimeout ?? DeliveryDefaults.standard.methodTimeout
        guard timeout > 0 else {
            throw ArgumentError(
                "methodTimeout", "bounds the transfer, so it must be more than 0 seconds, got \(timeout)")
        }
        if let failure = CurlLibrary.failure {
            throw ArgumentError("method", "httpGet cannot run on node \(context.node): \(failure)")
        }
        let url = parsed.positional[0]
        if let reason = HTTPRequest.refusal(ofURL: url) {
            throw ArgumentError("methodArgs[\(arguments.count - 1)]", reason)
        }
        var request = HTTPRequest(url: url, timeout: timeout)
        if let caFile = parsed.value("cacert") {
            guard caFile.hasPrefix("/"), FileSystem.exists(caFile) else {
                throw ArgumentError("--cacert", "must be the absolute path of an existing PEM file, got \"\(caFile)\"")
            }
            request.caFile = caFile
        }
        if parsed.flags.contains("insecure") {
            guard allowInsecureTLS else {
                throw ArgumentError(
                    "--insecure", "refused: node \(context.node) checks every TLS certificate (allowInsecureTLS is off)"
                )
            }
            request.insecure = true
        }
        request.maxRedirects = parsed.count("max-redirects") ?? HTTPDefaults.maxRedirects
        request.includeHeaders = parsed.flags.contains("include")
        return request
    }

    func run(_ request: HTTPRequest, message: Message, context: HandlerContext) async -> Reply {
        let startedAt = Timestamp.now
        do {
            try await transfers.start(request) { outcome in
                let result = HTTPResult(request: request, outcome: outcome, startedAt: startedAt)
                try? context.sendResult(result.reply(to: message, context: context), of: message)
            }
        } catch {
            return context.reply(to: message, .error, error: "httpGet \(request.url): \(error)")
        }
        return context.reply(to: message, .ok, stdout: "fetching \(request.url)")
    }
}
