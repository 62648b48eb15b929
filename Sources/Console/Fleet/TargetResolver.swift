import Shared

/// Turns a target into node names: `a,b,c`, `*` (every known node), `@group`, `label=value`, or a comma-separated
/// mix of them.
///
/// A plain name need not be known yet (a message waits for its node); the other forms name known nodes, and one
/// that names none is an error, so a typo never sends to nobody in silence.
struct TargetResolver: Sendable {
    /// A node as the resolver sees it: its name and the labels of its last hello.
    struct Node: Sendable, Equatable {
        var name: String
        var labels: [String: String]
    }

    var known: [Node]
    var groups: NodeGroups

    /// The nodes `target` names, in natural order, without repeats.
    func resolve(_ target: String) throws(TargetError) -> [String] {
        var names = Set<String>()
        try add(target, into: &names, inside: [])
        return NaturalOrder.sorted(names)
    }

    private func add(_ target: String, into names: inout Set<String>, inside: [String]) throws(TargetError) {
        let terms = target.split(separator: ",", omittingEmptySubsequences: false).map { String($0).trimmingSpaces }
        for term in terms {
            if term.isEmpty {
                throw TargetError("\"\(target)\": an empty target between commas")
            } else if term == NodeName.everyNode {
                guard !known.isEmpty else {
                    throw TargetError("*: no known nodes yet (a node becomes known by its hello)")
                }
                names.formUnion(known.map(\.name))
            } else if term.hasPrefix("@") {
                try addGroup(String(term.dropFirst()), into: &names, inside: inside)
            } else if let equals = term.firstIndex(of: "=") {
                let key = String(term[..<equals])
                let value = String(term[term.index(after: equals)...])
                if let problem = NodeLabels.problem(key: key, value: value) { throw TargetError("\(term): \(problem)") }
                let matching = known.filter { $0.labels[key] == value }.map(\.name)
                guard !matching.isEmpty else {
                    throw TargetError("\(term): no known node has the label \(key)=\(value)")
                }
                names.formUnion(matching)
            } else {
                guard NodeName.isValid(term) else {
                    throw TargetError(
                        "\"\(term)\" is not a node name (letters, digits, - and _), @group, label=value or *")
                }
                names.insert(term)
            }
        }
    }

    private func addGroup(_ name: String, into names: inout Set<String>, inside: [String]) throws(TargetError) {
        if let problem = groups.problem { throw problem }
        let file = groups.path ?? NodeGroups.fileName
        guard let members = groups.members[name] else {
            let known = groups.members.keys.sorted()
            throw TargetError(
                "@\(name): no such group in \(file)"
                    + (known.isEmpty ? "" : " (groups: \(known.joined(separator: ", ")))"))
        }
        guard !inside.contains(name) else {
            throw TargetError(
                "@\(name): the group contains itself in \(file) (\((inside + [name]).joined(separator: " → ")))")
        }
        for member in members {
            do {
                try add(member, into: &names, inside: inside + [name])
            } catch {
                // Say which group held the member, unless an inner group already did.
                throw error.description.hasPrefix("@") ? error : TargetError("@\(name) in \(file): \(error)")
            }
        }
    }
}

extension TargetResolver {
    /// The resolver for the nodes in `records` (their labels from their last hello) and `groups`.
    init(records: [NodeRecord], groups: NodeGroups) {
        self.init(
            known: records.map { Node(name: $0.name, labels: $0.facts.flatMap { Hello.decode($0) }?.labels ?? [:]) },
            groups: groups)
    }
}

extension TargetResolver {
    /// What Tab offers beside node names: every `@group` and every `label=value` a known node has.
    var completions: [String] {
        let labels = Set(known.flatMap { node in node.labels.map { "\($0.key)=\($0.value)" } })
        return groups.members.keys.sorted().map { "@" + $0 } + labels.sorted()
    }
}
