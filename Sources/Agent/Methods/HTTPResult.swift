import Shared

/// The result `httpGet` sends back after its ACK, made from a transfer's outcome and cut to fit one message.
struct HTTPResult {
    var request: HTTPRequest
    var outcome: Result<HTTPResponse, HTTPFailure>
    var startedAt: Timestamp

    /// Bytes a result message may take before the node adds its id, defaults and signature: it is one message of
    /// at most ``MessageLimits/messageBytes``, never chunked.
    static let messageBudget = MessageLimits.messageBytes - 8 * 1024

    func reply(to message: Message, context: HandlerContext) -> Reply {
        var reply = context.reply(to: message, .ok)
        switch outcome {
        case .success(let response):
            reply.exitCode = Int32(clamping: response.status)
            reply.stdout = String(
                decoding: request.includeHeaders ? response.headers + response.body : response.body, as: UTF8.self)
            reply.truncated = response.truncated ? true : nil
            reply = Self.fitted(reply, origin: message.fromNode ?? "", id: message.id ?? "")
            let redirects =
                response.redirects == 0
                ? "" : " (after \(response.redirects) redirect\(response.redirects == 1 ? "" : "s"))"
            reply.stderr = "final URL: \(response.finalURL)\(redirects)\n"
            if reply.truncated == true {
                let most = MessageLimits.messageBytes >> 20
                reply.stderr? +=
                    "truncated: the body goes on past what is here (a result is one message of at most \(most) MiB)\n"
            }
            if response.status >= 400 {
                reply.status = .error
                reply.error = "HTTP \(response.status) from \(response.finalURL)"
            }
        case .failure(let failure):
            reply.status = .error
            reply.error = "httpGet \(request.url): \(failure)"
        }
        reply.startedAt = startedAt
        reply.finishedAt = .now
        return reply
    }

    /// `reply` with its `stdout` cut (at a character boundary, marked truncated) until the result message holding
    /// it fits ``messageBudget``.
    static func fitted(_ reply: Reply, origin: String, id: String) -> Reply {
        var reply = reply
        while let text = reply.stdout, !text.isEmpty {
            let size = Message(
                toNode: origin, messageType: .eventACK, method: .result, methodArgs: [id],
                data: String(decoding: reply.encoded(), as: UTF8.self)
            ).encoded().count
            guard size > messageBudget else { break }
            // Every byte of the text takes at least one in the message (escaped ones more): cutting the excess is
            // enough or more than enough.
            let bytes = Array(text.utf8)
            var end = max(0, bytes.count - (size - messageBudget))
            while end > 0, bytes[end] & 0xC0 == 0x80 { end -= 1 }
            reply.stdout = String(decoding: bytes[..<end], as: UTF8.self)
            reply.truncated = true
        }
        return reply
    }
}
