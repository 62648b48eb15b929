import Shared

/// Tab completion in the compose bar: node names (and `*`) in the first word, method names in the second.
public enum Completion {
    /// The outcome of one Tab.
    public struct Result: Equatable, Sendable {
        /// The line after completion.
        public var line: String
        /// Every candidate, when there was more than one.
        public var candidates: [String]
    }

    /// Completes the word that ends at the end of `line`. In the first word, the part after the last comma is
    /// completed, from `*`, the nodes and `targets` (`@group`s and `label=value`s).
    public static func complete(_ line: String, nodesMarked: Bool, nodes: [String], targets: [String] = []) -> Result {
        let endsWithSpace = line.last == " " || line.isEmpty
        let words = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        let wordIndex = endsWithSpace ? words.count : words.count - 1
        let word = endsWithSpace ? "" : words.last ?? ""
        let position = nodesMarked ? wordIndex + 1 : wordIndex
        // In a list of targets only the last one is being typed.
        let partial = position == 0 ? String(word.split(separator: ",", omittingEmptySubsequences: false).last ?? "") : word
        let pool: [String]
        switch position {
        case 0: pool = ["*"] + NaturalOrder.sorted(nodes) + targets
        case 1: pool = Method.known.map(\.rawValue)
        default: return Result(line: line, candidates: [])
        }
        let candidates = pool.filter { $0.hasPrefix(partial) }
        guard let first = candidates.first else { return Result(line: line, candidates: []) }
        var common = first
        for candidate in candidates.dropFirst() {
            while !candidate.hasPrefix(common) { common.removeLast() }
        }
        let head = String(line.dropLast(partial.count))
        if candidates.count == 1 { return Result(line: head + common + " ", candidates: []) }
        return Result(line: head + common, candidates: candidates)
    }
}
