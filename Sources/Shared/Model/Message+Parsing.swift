/// Strict parsing of messages: unknown keys, wrong types and bad values are errors that name the field.
extension Message {
    /// The keys a message may have. Keys are case-sensitive.
    public static let fieldNames: Set<String> = [
        "id", "toNode", "toNodes", "fromNode", "messageType", "method", "methodArgs", "data", "dataEncoding",
        "ackTimeout", "retries", "retryWait", "methodTimeout", "ttl", "replyMethod", "createdAt", "signedBy", "signature",
        "sequential",
    ]

    /// Decodes one message from JSON bytes (the wire form); at most ``MessageLimits/messageBytes``.
    public static func decode(_ bytes: some Collection<UInt8>) throws(MessageError) -> Message {
        try checkSize(bytes.count)
        return try Message(json: JSONValue.parse(bytes))
    }

    /// Decodes input that holds one message object or an array of them, within the ``MessageLimits`` of a batch.
    public static func decodeBatch(_ bytes: some Collection<UInt8>) throws(MessageError) -> [Message] {
        try checkBatchSize(bytes.count)
        let value = try JSONValue.parse(bytes)
        switch value {
        case .array(let items):
            guard items.count <= MessageLimits.batchMessages else {
                throw MessageError(
                    .tooLarge,
                    "input holds \(items.count) messages; the limit is \(MessageLimits.batchMessages) per input file")
            }
            var messages: [Message] = []
            for (index, item) in items.enumerated() {
                do {
                    let message = try Message(json: item)
                    try checkSize(message.encoded().count)
                    messages.append(message)
                } catch {
                    var indexed = error
                    indexed.reason = "item \(index): " + error.reason
                    throw indexed
                }
            }
            return messages
        case .object:
            let message = try Message(json: value)
            try checkSize(message.encoded().count)
            return [message]
        default:
            throw MessageError(.invalidJSON, "expected a message object or an array of them, got \(value.typeName)")
        }
    }

    /// Refuses a message of `count` bytes past ``MessageLimits/messageBytes``.
    static func checkSize(_ count: Int) throws(MessageError) {
        guard count <= MessageLimits.messageBytes else {
            let limit = MessageLimits.messageBytes
            throw MessageError(.tooLarge, "message is \(count) bytes; the limit is \(limit) bytes (\(limit >> 20) MiB)")
        }
    }

    /// Refuses an input file of `count` bytes past ``MessageLimits/batchBytes``, before it is read.
    public static func checkBatchSize(_ count: Int) throws(MessageError) {
        guard count <= MessageLimits.batchBytes else {
            let limit = MessageLimits.batchBytes
            throw MessageError(
                .tooLarge, "input is \(count) bytes; the limit is \(limit) bytes (\(limit >> 20) MiB) per file")
        }
    }

    /// Refuses a seconds field past ``MessageLimits/seconds``.
    static func checkSeconds(_ value: Double, field: String, shown: String) throws(MessageError) {
        guard value <= MessageLimits.seconds else {
            let years = Int(MessageLimits.seconds / (365 * 24 * 3600))
            throw MessageError(
                .tooLarge, field: field,
                "field `\(field)` must be at most \(Int(MessageLimits.seconds)) seconds (\(years) years), got \(shown)")
        }
    }

    /// Builds a message from a parsed JSON object, checking every field.
    public init(json value: JSONValue) throws(MessageError) {
        guard case .object(let object) = value else {
            throw MessageError(.invalidJSON, "expected a message object, got \(value.typeName)")
        }
        let fields = FieldReader(object: object)
        do throws(MessageError) {
            try fields.rejectUnknown(allowed: Message.fieldNames)
            let method = Method(rawValue: try fields.string("method", required: true, pattern: .token)!)
            self.init(method: method)
            id = try fields.string("id", pattern: .token)
            toNode = try fields.nodeName("toNode", allowEvery: true)
            toNodes = try fields.nodeNames("toNodes", limit: MessageLimits.destinations)
            fromNode = try fields.nodeName("fromNode", allowEvery: false)
            messageType = try fields.string("messageType").map { (text: String) throws(MessageError) in
                guard let type = MessageType(rawValue: text) else {
                    throw MessageError(
                        .invalidField, field: "messageType",
                        "field `messageType` must be one of \(MessageType.allCases.map(\.rawValue).joined(separator: ", ")), got \"\(text)\""
                    )
                }
                return type
            }
            methodArgs = try fields.strings("methodArgs", limit: MessageLimits.methodArgs)
            data = try fields.string("data")
            dataEncoding = try fields.string("dataEncoding")
            if let encoding = dataEncoding, encoding != "base64", encoding != "utf8" {
                throw MessageError(
                    .invalidField, field: "dataEncoding",
                    "field `dataEncoding` must be \"utf8\" or \"base64\", got \"\(encoding)\"")
            }
            ackTimeout = try fields.seconds("ackTimeout")
            retries = try fields.count("retries")
            retryWait = try fields.seconds("retryWait")
            methodTimeout = try fields.seconds("methodTimeout")
            ttl = try fields.seconds("ttl")
            replyMethod = try fields.string("replyMethod", pattern: .token).map(Method.init(rawValue:))
            sequential = try fields.bool("sequential")
            // Signatures travel in headers now (``WireSignature``); these fields of the first format are read and
            // set aside, so a message written for it is still taken.
            _ = try fields.string("signedBy")
            _ = try fields.string("signature")
            createdAt = try fields.string("createdAt").map { (text: String) throws(MessageError) in
                guard let time = Timestamp(rfc3339: text) else {
                    throw MessageError(
                        .invalidField, field: "createdAt",
                        "field `createdAt` must be an RFC 3339 time like 2026-11-25T09:14:03Z, got \"\(text)\"")
                }
                return time
            }
        } catch {
            throw error.with(messageID: fields.idHint)
        }
    }
}

/// Reads typed fields out of a JSON object, with errors that name the field and quote the value.
struct FieldReader {
    enum Pattern { case any, token }

    let object: [String: JSONValue]

    /// The id, if the object has a usable one, to attribute errors to.
    var idHint: String? {
        if case .string(let id) = object["id"], MessageID.isValid(id) { return id }
        return nil
    }

    func rejectUnknown(allowed: Set<String>) throws(MessageError) {
        // Sorted (so that the error names the same key every time) only when there is one to name.
        guard object.keys.contains(where: { !allowed.contains($0) }) else { return }
        for key in object.keys.sorted() where !allowed.contains(key) {
            let hint = allowed.first { $0.lowercased() == key.lowercased() }.map { " (did you mean `\($0)`?)" } ?? ""
            throw MessageError(.unknownField, field: key, "unknown field `\(key)`\(hint)")
        }
    }

    func string(_ key: String, required: Bool = false, pattern: Pattern = .any) throws(MessageError) -> String? {
        guard let value = object[key], value != .null else {
            if required { throw MessageError(.missingField, field: key, "field `\(key)` is required") }
            return nil
        }
        guard case .string(let text) = value else {
            throw MessageError(.invalidField, field: key, "field `\(key)` must be a string, got \(value.excerpt)")
        }
        if pattern == .token, !NodeName.isValid(text) {
            throw MessageError(
                .invalidField, field: key,
                "field `\(key)` must be letters, digits, `-` and `_` only, got \(value.excerpt)")
        }
        return text
    }

    func strings(_ key: String, limit: Int) throws(MessageError) -> [String]? {
        guard let value = object[key], value != .null else { return nil }
        guard case .array(let items) = value else {
            throw MessageError(
                .invalidField, field: key, "field `\(key)` must be an array of strings, got \(value.excerpt)")
        }
        guard items.count <= limit else {
            throw MessageError(
                .tooLarge, field: key, "field `\(key)` has \(items.count) entries; the limit is \(limit)")
        }
        var result: [String] = []
        for (index, item) in items.enumerated() {
            guard case .string(let text) = item else {
                throw MessageError(
                    .invalidField, field: key, "field `\(key)`[\(index)] must be a string, got \(item.excerpt)")
            }
            result.append(text)
        }
        return result
    }

    func nodeName(_ key: String, allowEvery: Bool) throws(MessageError) -> String? {
        guard let name = try string(key) else { return nil }
        if allowEvery, name == NodeName.everyNode { return name }
        try NodeName.validate(name, field: key)
        return name
    }

    func nodeNames(_ key: String, limit: Int) throws(MessageError) -> [String]? {
        guard let names = try strings(key, limit: limit) else { return nil }
        for (index, name) in names.enumerated() where name != NodeName.everyNode {
            try NodeName.validate(name, field: "\(key)[\(index)]")
        }
        return names
    }

    func bool(_ key: String) throws(MessageError) -> Bool? {
        guard let value = object[key], value != .null else { return nil }
        guard case .bool(let flag) = value else {
            throw MessageError(.invalidField, field: key, "field `\(key)` must be true or false, got \(value.excerpt)")
        }
        return flag
    }

    func seconds(_ key: String) throws(MessageError) -> Double? {
        guard let value = object[key], value != .null else { return nil }
        guard case .number(let number) = value, number.isFinite, number >= 0 else {
            throw MessageError(
                .invalidField, field: key,
                "field `\(key)` must be a non-negative number of seconds, got \(value.excerpt)")
        }
        try Message.checkSeconds(number, field: key, shown: value.excerpt)
        return number
    }

    func count(_ key: String) throws(MessageError) -> Int? {
        guard let value = object[key], value != .null else { return nil }
        guard case .number(let number) = value, number >= 0, number.rounded() == number, number < 1e9 else {
            throw MessageError(
                .invalidField, field: key, "field `\(key)` must be a non-negative whole number, got \(value.excerpt)")
        }
        return Int(number)
    }
}
