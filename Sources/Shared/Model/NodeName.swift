/// Node names become NATS subject tokens, so they are restricted to `[A-Za-z0-9_-]+`.
public enum NodeName {
    /// The name that stands for every known node in `toNode`/`toNodes`.
    public static let everyNode = "*"

    public static func isValid(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 128 && name.utf8.allSatisfy(isAllowed)
    }

    /// Throws an error naming `field` when `name` is not a valid node name.
    public static func validate(_ name: String, field: String) throws(MessageError) {
        guard isValid(name) else {
            throw MessageError(
                .invalidNodeName, field: field,
                "field `\(field)`: \"\(name)\" is not a valid node name (letters, digits, `-` and `_` only)")
        }
    }

    static func isAllowed(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"):
            return true
        default:
            return false
        }
    }
}
