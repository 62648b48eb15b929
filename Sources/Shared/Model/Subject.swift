/// The NATS subject a message travels on: `bosun.<toNode>.<method>.<messageType>`.
public struct Subject: Sendable, Hashable, CustomStringConvertible {
    public var node: String
    public var method: Method
    public var messageType: MessageType

    public init(node: String, method: Method, messageType: MessageType) {
        self.node = node
        self.method = method
        self.messageType = messageType
    }

    public var description: String { "\(Wire.subjectPrefix).\(node).\(method.rawValue).\(messageType.rawValue)" }

    /// The wildcard a node subscribes to for everything addressed to it.
    public static func everything(for node: String) -> String { "\(Wire.subjectPrefix).\(node).>" }

    /// Parses a subject; nil when it is not one of Bosun's.
    public init?(parsing text: String) {
        let tokens = text.split(separator: ".", omittingEmptySubsequences: false)
        guard tokens.count == 4, tokens[0] == Wire.subjectPrefix, NodeName.isValid(String(tokens[1])),
            let type = MessageType(rawValue: String(tokens[3]))
        else { return nil }
        self.init(node: String(tokens[1]), method: Method(rawValue: String(tokens[2])), messageType: type)
    }
}
