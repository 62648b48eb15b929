/// A fan-out's outcomes folded: nodes that answered the same are one group, most common first.
struct OutcomeGroups: Sendable {
    struct Group: Sendable {
        /// One of the group's outcomes; the others are the same but for node and id.
        var sample: NodeOutcome
        var nodes: [String]
    }

    var groups: [Group]
    var counts: [NodeOutcome.Kind: Int]

    init(_ outcomes: [NodeOutcome]) {
        var byKey: [String: Group] = [:]
        var order: [String] = []
        for outcome in outcomes {
            let key = outcome.foldKey
            if byKey[key] == nil {
                byKey[key] = Group(sample: outcome, nodes: [])
                order.append(key)
            }
            byKey[key]!.nodes.append(outcome.node)
        }
        // Waiting and unsent nodes last (they have no output), then most common first; ties in the order seen.
        groups = order.enumerated().sorted { a, b in
            let left = byKey[a.element]!
            let right = byKey[b.element]!
            let leftWaits = left.sample.kind == .waiting || left.sample.kind == .notSent
            let rightWaits = right.sample.kind == .waiting || right.sample.kind == .notSent
            if leftWaits != rightWaits { return !leftWaits }
            if left.nodes.count != right.nodes.count { return left.nodes.count > right.nodes.count }
            return a.offset < b.offset
        }.map { byKey[$0.element]! }
        counts = Dictionary(grouping: outcomes, by: \.kind).mapValues(\.count)
    }

    /// `12 nodes: 9 ok · 1 failed · 2 waiting`: every kind that occurred, in a fixed order.
    var summary: String {
        let total = counts.values.reduce(0, +)
        let parts = NodeOutcome.Kind.allCases.compactMap { kind in counts[kind].map { "\($0) \(kind.rawValue)" } }
        return "\(total) node\(total == 1 ? "" : "s"): " + parts.joined(separator: " · ")
    }
}
