/// What a node does with messages of one method. The agent provides handlers; Shared delivers to them.
public protocol MethodHandler: Sendable {
    /// Handles one message and returns its result, sent back as the ACK when the type asks for one.
    /// A handler does not throw: a failure is a reply with status `error` and the reason.
    func handle(_ message: Message, context: HandlerContext) async -> Reply
}

/// What a handler knows of the node it runs on.
public struct HandlerContext: Sendable {
    /// The receiving node's name.
    public var node: String
    /// The node's data directory.
    public var dataDirectory: String

    public init(node: String, dataDirectory: String) {
        self.node = node
        self.dataDirectory = dataDirectory
    }

    /// A reply from this node to `message`.
    public func reply(
        to message: Message, _ status: Reply.Status, error: String? = nil, stdout: String? = nil
    ) -> Reply {
        Reply(id: message.id ?? "", fromNode: node, status: status, stdout: stdout, error: error)
    }
}
