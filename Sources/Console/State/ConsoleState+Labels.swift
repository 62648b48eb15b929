import Shared

extension ConsoleState {
    /// The labels of each node that declared any, from its last hello. Worked out once per snapshot; only hellos
    /// that mention labels are decoded, so a fleet without labels costs a byte search per node.
    static func labels(of nodes: [NodeRecord]) -> [String: [String: String]] {
        let marker = Array(#""labels""#.utf8)
        var result: [String: [String: String]] = [:]
        for node in nodes {
            guard let facts = node.facts, facts.firstRange(of: marker) != nil,
                let labels = Hello.decode(facts)?.labels, !labels.isEmpty
            else { continue }
            result[node.name] = labels
        }
        return result
    }

    /// What a Nodes filter matches for `node` beside its name: `site:barn` for each label.
    func filterTerms(of node: String) -> [String] {
        (nodeLabels[node] ?? [:]).map { "\($0.key):\($0.value)" }
    }
}
