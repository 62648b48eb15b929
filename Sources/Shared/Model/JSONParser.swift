/// A strict JSON parser over UTF-8 bytes into ``JSONValue``, in one pass.
///
/// Written here rather than taken from FoundationEssentials because every payload a node receives goes through it,
/// hostile ones included: `JSONDecoder` can only produce a loose value by trying each type in turn (a thrown error
/// per miss), and it cannot bound nesting or array sizes before it has built them. This one refuses a document
/// deeper than ``Limits/depth`` or with an array or object larger than ``Limits/elements`` as soon as it gets
/// there, and a duplicate key (two readings of one message must not be possible).
struct JSONParser {
    struct Limits {
        var depth = 32
        /// Well above every field's own limit (which names the field), so only a document that is nothing but bulk
        /// meets this one.
        var elements = 65_536
    }

    private let bytes: [UInt8]
    private let limits: Limits
    private var position = 0
    private var depth = 0

    static func parse(_ bytes: some Collection<UInt8>, limits: Limits = Limits()) throws(MessageError) -> JSONValue {
        var parser = JSONParser(bytes: Array(bytes), limits: limits)
        parser.skipSpace()
        let value = try parser.value()
        parser.skipSpace()
        guard parser.position == parser.bytes.count else { throw parser.failure("unexpected text after the JSON value") }
        return value
    }

    private init(bytes: [UInt8], limits: Limits) {
        self.bytes = bytes
        self.limits = limits
    }

    private func failure(_ what: String) -> MessageError {
        MessageError(.invalidJSON, "input is not valid JSON: \(what) at byte \(position)")
    }

    private var current: UInt8? { position < bytes.count ? bytes[position] : nil }

    private mutating func skipSpace() {
        while let byte = current, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { position += 1 }
    }

    private mutating func value() throws(MessageError) -> JSONValue {
        guard let byte = current else { throw failure("unexpected end") }
        switch byte {
        case UInt8(ascii: "{"): return try object()
        case UInt8(ascii: "["): return try array()
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "n"): return try literal("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
        default: throw failure("unexpected character")
        }
    }

    private mutating func literal(_ word: StaticString, _ value: JSONValue) throws(MessageError) -> JSONValue {
        let count = word.utf8CodeUnitCount
        guard position + count <= bytes.count else { throw failure("unexpected end") }
        for index in 0..<count where bytes[position + index] != word.utf8Start[index] {
            throw failure("unexpected character")
        }
        position += count
        return value
    }

    private mutating func enter() throws(MessageError) {
        depth += 1
        guard depth <= limits.depth else { throw failure("nested deeper than \(limits.depth) levels") }
        position += 1
        skipSpace()
    }

    private mutating func object() throws(MessageError) -> JSONValue {
        try enter()
        defer { depth -= 1 }
        var members: [String: JSONValue] = [:]
        // A message's object has about a dozen keys: room for them at once, not grown four times on the way.
        if depth == 1 { members.reserveCapacity(16) }
        if current == UInt8(ascii: "}") {
            position += 1
            return .object(members)
        }
        while true {
            guard current == UInt8(ascii: "\"") else { throw failure("expected a key") }
            let key = try string()
            skipSpace()
            guard current == UInt8(ascii: ":") else { throw failure("expected `:`") }
            position += 1
            skipSpace()
            let member = try value()
            guard members.updateValue(member, forKey: key) == nil else { throw failure("duplicate key `\(key)`") }
            guard members.count <= limits.elements else { throw failure("more than \(limits.elements) keys in an object") }
            skipSpace()
            switch current {
            case UInt8(ascii: ","):
                position += 1
                skipSpace()
            case UInt8(ascii: "}"):
                position += 1
                return .object(members)
            default:
                throw failure("expected `,` or `}`")
            }
        }
    }

    private mutating func array() throws(MessageError) -> JSONValue {
        try enter()
        defer { depth -= 1 }
        var elements: [JSONValue] = []
        if current == UInt8(ascii: "]") {
            position += 1
            return .array(elements)
        }
        while true {
            elements.append(try value())
            guard elements.count <= limits.elements else { throw failure("more than \(limits.elements) array elements") }
            skipSpace()
            switch current {
            case UInt8(ascii: ","):
                position += 1
                skipSpace()
            case UInt8(ascii: "]"):
                position += 1
                return .array(elements)
            default:
                throw failure("expected `,` or `]`")
            }
        }
    }

    private mutating func string() throws(MessageError) -> String {
        position += 1
        let start = position
        var ascii = true
        // The common case: no escapes, taken as one slice.
        while let byte = current, byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\") {
            guard byte >= 0x20 else { throw failure("control character in a string") }
            if byte >= 0x80 { ascii = false }
            position += 1
        }
        if current == UInt8(ascii: "\"") {
            position += 1
            // ASCII (ids, names, subjects: nearly every string here) is valid UTF-8 as it is: taken without the
            // generic validation, which looks its encoding's type up at run time for every string.
            if ascii {
                return bytes.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[start..<(position - 1)]), as: UTF8.self) }
            }
            // Validated straight from the input, without a copy of its bytes first.
            guard let text = String(validating: bytes[start..<(position - 1)], as: UTF8.self) else {
                throw failure("invalid UTF-8 in a string")
            }
            return text
        }
        var utf8 = Array(bytes[start..<position])
        while current == UInt8(ascii: "\\") {
            position += 1
            try escape(into: &utf8)
            while let byte = current, byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\") {
                guard byte >= 0x20 else { throw failure("control character in a string") }
                utf8.append(byte)
                position += 1
            }
        }
        guard current == UInt8(ascii: "\"") else { throw failure("unterminated string") }
        position += 1
        guard let text = String(validating: utf8, as: UTF8.self) else { throw failure("invalid UTF-8 in a string") }
        return text
    }

    private mutating func escape(into utf8: inout [UInt8]) throws(MessageError) {
        guard let byte = current else { throw failure("unterminated string") }
        position += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(byte)
        case UInt8(ascii: "b"): utf8.append(0x08)
        case UInt8(ascii: "f"): utf8.append(0x0C)
        case UInt8(ascii: "n"): utf8.append(0x0A)
        case UInt8(ascii: "r"): utf8.append(0x0D)
        case UInt8(ascii: "t"): utf8.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try hex4()
            if (0xD800..<0xDC00).contains(scalar) {
                guard current == UInt8(ascii: "\\"), position + 1 < bytes.count, bytes[position + 1] == UInt8(ascii: "u")
                else { throw failure("unpaired surrogate in a string") }
                position += 2
                let low = try hex4()
                guard (0xDC00..<0xE000).contains(low) else { throw failure("unpaired surrogate in a string") }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            }
            guard let unicode = Unicode.Scalar(scalar) else { throw failure("unpaired surrogate in a string") }
            utf8.append(contentsOf: Array(String(Character(unicode)).utf8))
        default:
            throw failure("invalid escape in a string")
        }
    }

    private mutating func hex4() throws(MessageError) -> UInt32 {
        guard position + 4 <= bytes.count else { throw failure("unterminated string") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw failure("invalid \\u escape")
            }
            value = value << 4 | UInt32(digit)
            position += 1
        }
        return value
    }

    private mutating func number() throws(MessageError) -> Double {
        let start = position
        if current == UInt8(ascii: "-") { position += 1 }
        guard let first = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else { throw failure("invalid number") }
        if first == UInt8(ascii: "0") { position += 1 } else { skipDigits() }
        // A whole number of up to 15 digits (seconds, counts: most numbers here) is exact as a Double: read
        // without making a string of it.
        if current != UInt8(ascii: "."), current != UInt8(ascii: "e"), current != UInt8(ascii: "E") {
            let negative = bytes[start] == UInt8(ascii: "-")
            let digits = (negative ? start + 1 : start)..<position
            if digits.count <= 15 {
                var whole = 0
                for index in digits { whole = whole * 10 + Int(bytes[index] - UInt8(ascii: "0")) }
                // -0 stays -0, as the slow path reads it.
                return negative ? -Double(whole) : Double(whole)
            }
        }
        if current == UInt8(ascii: ".") {
            position += 1
            guard skipDigits() > 0 else { throw failure("invalid number") }
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            position += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { position += 1 }
            guard skipDigits() > 0 else { throw failure("invalid number") }
        }
        guard let value = Double(String(decoding: bytes[start..<position], as: UTF8.self)), value.isFinite else {
            throw failure("number out of range")
        }
        return value
    }

    @discardableResult
    private mutating func skipDigits() -> Int {
        let start = position
        while let byte = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) { position += 1 }
        return position - start
    }
}
