/// Labels a node declares about itself (`"site": "barn"`), sent in its hello; operators target nodes by them
/// (`--to site=barn`).
public enum NodeLabels {
    /// Whether `text` may be a label's key or value: 1 to 64 letters, digits, `-`, `_` and `.`.
    public static func isValid(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 64
            && text.utf8.allSatisfy { NodeName.isAllowed($0) || $0 == UInt8(ascii: ".") }
    }

    /// Why `key` and `value` cannot be a label; nil when they can.
    public static func problem(key: String, value: String) -> String? {
        if !isValid(key) { return "label key \"\(key)\" must be 1 to 64 letters, digits, -, _ or ." }
        if !isValid(value) { return "label \(key)'s value \"\(value)\" must be 1 to 64 letters, digits, -, _ or ." }
        return nil
    }
}
