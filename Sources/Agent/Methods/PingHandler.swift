import Shared

/// `ping` (CommandACK), no arguments: answers at once, so the sender learns the round trip.
struct PingHandler: ImmediateCheckedMethod {
    var spec: ArgumentSpec { ArgumentSpec(method: Method.ping.rawValue) }

    func check(_ message: Message, context: HandlerContext) throws(ArgumentError) {
        _ = try spec.parse(message.methodArgs ?? [], data: message.data, methodTimeout: message.methodTimeout)
    }

    func runNow(_ arguments: Void, message: Message, context: HandlerContext) -> Reply {
        var reply = context.reply(to: message, .ok, stdout: "pong")
        reply.finishedAt = .now
        return reply
    }
}
