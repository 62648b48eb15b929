/// What a node does with messages of one method. The agent provides handlers; Shared delivers to them.
public protocol MethodHandler: Sendable {
    /// Handles one message and returns its result, sent back as the ACK when the type asks for one.
    /// A handler does not throw: a failure is a reply with status `error` and the reason.
    func handle(_ message: Message, context: HandlerContext) async -> Reply
}

/// A handler whose work is brief and never waits for anything but a local file or the store (a ping, a log line).
///
/// The receiver runs it where the message already is (the subscription's delivery thread, or the completion of the
/// commit that recorded the message), without starting a task for it: per message, that task and the thread
/// wake-ups it takes cost more than such a run. Messages of one stream (``Message/streamKey``) still finish in
/// arrival order, since those places take messages one at a time in that order.
public protocol ImmediateMethodHandler: MethodHandler {
    /// Handles one message at once, on the calling thread; the same result ``handle(_:context:)`` gives.
    func handleNow(_ message: Message, context: HandlerContext) -> Reply
}

extension ImmediateMethodHandler {
    public func handle(_ message: Message, context: HandlerContext) async -> Reply {
        handleNow(message, context: context)
    }
}

/// What a handler knows of the node it runs on.
public struct HandlerContext: Sendable {
    /// The receiving node's name.
    public var node: String
    /// The node's data directory.
    public var dataDirectory: String
    /// Accepts messages into this node's outbox (durable, retried): how a handler sends something back later.
    var accept: @Sendable ([Message]) throws -> Void
    /// The node's parts (receiver, outbox, inputs, …) and their supervision state, for `status`.
    public var parts: @Sendable () -> [String: String]

    public init(
        node: String, dataDirectory: String, accept: @escaping @Sendable ([Message]) throws -> Void = { _ in },
        parts: @escaping @Sendable () -> [String: String] = { [:] }
    ) {
        self.node = node
        self.dataDirectory = dataDirectory
        self.accept = accept
        self.parts = parts
    }

    /// Sends a result that comes after the ACK (the body `httpGet` fetched, say) back to the sender of
    /// `message`, as a new EventACK message through this node's outbox, so it survives restarts on both sides.
    /// By default (method `result`) the sender stores it as `message`'s result; a `replyMethod` on `message`
    /// names another method to hand the output to, with the original id as its first argument.
    public func sendResult(_ reply: Reply, of message: Message) throws {
        guard let origin = message.fromNode, let id = message.id else { return }
        try sendResult(reply, for: id, to: origin, replyMethod: message.replyMethod)
    }

    /// ``sendResult(_:of:)`` for message `id` of node `origin`, when this handler has only those (a file copy's
    /// last chunk reports the whole copy to the node that asked for it).
    public func sendResult(_ reply: Reply, for id: String, to origin: String, replyMethod: Method? = nil) throws {
        let draft: Message
        if let method = replyMethod, method != .result {
            draft = Message(toNode: origin, messageType: .eventACK, method: method, methodArgs: [id], data: reply.stdout ?? "")
        } else {
            draft = Message(
                toNode: origin, messageType: .eventACK, method: .result, methodArgs: [id],
                data: String(decoding: reply.encoded(), as: UTF8.self))
        }
        try accept([draft])
    }

    /// Sends new messages from this node, through its outbox (durable, retried, in order per destination).
    public func send(_ messages: [Message]) throws {
        try accept(messages)
    }

    /// Sends output of `message` as it appears (`cliCommandCont`, `tailFile`) back to its sender, in order:
    /// each call one EventACK `output` message through this node's outbox.
    public func sendOutput(_ text: String, stream: OutputStream, of message: Message) throws {
        guard let origin = message.fromNode, let id = message.id, !text.isEmpty else { return }
        try accept([Message(
            toNode: origin, messageType: .eventACK, method: .output, methodArgs: [id, stream.rawValue], data: text)])
    }

    /// Which of a command's outputs a piece of text comes from.
    public enum OutputStream: String, Sendable {
        case stdout, stderr
    }

    /// A reply from this node to `message`.
    public func reply(
        to message: Message, _ status: Reply.Status, error: String? = nil, stdout: String? = nil
    ) -> Reply {
        Reply(id: message.id ?? "", fromNode: node, status: status, stdout: stdout, error: error)
    }
}
