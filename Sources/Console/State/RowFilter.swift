/// A pane filter: words that must all match. `state:WORD` matches the state by prefix, `node:GLOB` the node
/// name with `*` and `?`, any other word is a case-insensitive substring of the row.
public struct RowFilter: Sendable {
    enum Term {
        case state(String)
        case node(String)
        case text(String)
    }

    let terms: [Term]

    public init(_ text: String) {
        terms = text.split(separator: " ").map { word in
            let lower = word.lowercased()
            if lower.hasPrefix("state:") { return .state(String(lower.dropFirst(6))) }
            if lower.hasPrefix("node:") { return .node(String(word.dropFirst(5))) }
            return .text(lower)
        }
    }

    /// Whether the filter has no terms, so every row matches.
    public var isEmpty: Bool { terms.isEmpty }

    public func matches(node: String, state: String, text: [String]) -> Bool {
        terms.allSatisfy { term in
            switch term {
            case .state(let word): return state.lowercased().hasPrefix(word)
            case .node(let pattern): return Glob.matches(pattern, node)
            case .text(let word): return text.contains { $0.lowercased().contains(word) } || state.contains(word)
            }
        }
    }
}

/// Shell-style wildcard matching: `*` any run of characters, `?` one character.
public enum Glob {
    public static func matches(_ pattern: String, _ text: String) -> Bool {
        matches(Array(pattern), 0, Array(text), 0)
    }

    private static func matches(_ pattern: [Character], _ p: Int, _ text: [Character], _ t: Int) -> Bool {
        if p == pattern.count { return t == text.count }
        switch pattern[p] {
        case "*":
            var index = t
            while index <= text.count {
                if matches(pattern, p + 1, text, index) { return true }
                index += 1
            }
            return false
        case "?":
            return t < text.count && matches(pattern, p + 1, text, t + 1)
        default:
            return t < text.count && pattern[p] == text[t] && matches(pattern, p + 1, text, t + 1)
        }
    }
}
