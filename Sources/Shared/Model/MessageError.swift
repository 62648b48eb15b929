/// Why a message or an input could not be accepted.
///
/// The description names the field, the value and, where known, the message id and the input file,
/// so that a person can fix the input without reading code.
public struct MessageError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case invalidJSON
        case unknownField
        case missingField
        case invalidField
        case invalidNodeName
        /// Past one of the ``MessageLimits``.
        case tooLarge
    }

    public var code: Code
    /// The field concerned, when there is one.
    public var field: String?
    /// The message concerned, when it has an id.
    public var messageID: String?
    /// The input it came from: a file path, `socket`, or an argument.
    public var source: String?
    public var reason: String

    public init(_ code: Code, field: String? = nil, _ reason: String) {
        self.code = code
        self.field = field
        self.reason = reason
    }

    public var description: String {
        var prefix = ""
        if let source { prefix += "\(source): " }
        if let messageID { prefix += "message \(messageID): " }
        return prefix + reason
    }

    func with(messageID: String?) -> MessageError {
        var copy = self
        copy.messageID = copy.messageID ?? messageID
        return copy
    }

    /// The same error attributed to an input.
    public func with(source: String) -> MessageError {
        var copy = self
        copy.source = source
        return copy
    }
}
