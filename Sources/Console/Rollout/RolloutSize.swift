/// A count given as a number of nodes or a share of them: `--batch 5`, `--batch 25%`.
enum RolloutSize: Sendable, Equatable {
    case count(Int)
    case percent(Double)

    /// Parses `5` or `25%`; the error names `option`.
    init(_ text: String, option: String) throws(TargetError) {
        if text.hasSuffix("%"), let share = Double(text.dropLast()), share > 0, share <= 100 {
            self = .percent(share)
        } else if let count = Int(text), count >= 0 {
            self = .count(count)
        } else {
            throw TargetError("\(option) \(text): give a number of nodes (5) or a share of them (25%)")
        }
    }

    /// How many nodes of `total`; a share rounds up, so 10% of 5 nodes is 1.
    func nodes(of total: Int) -> Int {
        switch self {
        case .count(let count): return count
        case .percent(let share): return Int((Double(total) * share / 100).rounded(.up))
        }
    }
}
