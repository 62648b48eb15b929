import Shared

/// A method handler that tells the console after the wrapped one has handled a message (a hello has been
/// recorded, an error appended), so the screen changes on the event itself rather than on a poll.
struct ObservedHandler: MethodHandler {
    let inner: any MethodHandler
    let observe: @Sendable (Message) -> Void

    func handle(_ message: Message, context: HandlerContext) async -> Reply {
        let reply = await inner.handle(message, context: context)
        observe(message)
        return reply
    }
}

/// ``ObservedHandler`` for a handler that runs at once, which stays one.
struct ObservedImmediateHandler: ImmediateMethodHandler {
    let inner: any ImmediateMethodHandler
    let observe: @Sendable (Message) -> Void

    func handleNow(_ message: Message, context: HandlerContext) -> Reply {
        let reply = inner.handleNow(message, context: context)
        observe(message)
        return reply
    }
}
