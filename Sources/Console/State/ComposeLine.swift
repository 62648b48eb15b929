import Shared

/// The compose bar's grammar: `node method args…`, or `method args…` when nodes are marked.
public enum ComposeLine {
    /// A line parsed into its destinations and the `method args…` text.
    public enum Parsed: Equatable, Sendable {
        case send(text: String, toNodes: [String])
        case invalid(String)
    }

    /// Parses `line`; `targets` are the marked nodes (nil when the line names its node), `known` every known
    /// node, for `*`.
    public static func parse(_ line: String, targets: [String]?, known: [String]) -> Parsed {
        parse(line, targets: targets, resolver: TargetResolver(known: known.map { .init(name: $0, labels: [:]) }, groups: NodeGroups()))
    }

    /// Parses `line`; its first word is a target as `bosun send --to` takes it (`pi-1,pi-2`, `*`, `@group`,
    /// `label=value`), resolved by `resolver`, unless nodes are marked (`targets`).
    static func parse(_ line: String, targets: [String]?, resolver: TargetResolver) -> Parsed {
        var rest = Substring(line.drop { $0 == " " })
        var nodes: [String]
        if let targets {
            nodes = targets
        } else {
            let target = rest.prefix { $0 != " " }
            guard !target.isEmpty else { return .invalid("type: node method args…") }
            rest = rest.dropFirst(target.count).drop { $0 == " " }
            if target == "*", resolver.known.isEmpty { return .invalid("no known nodes for *") }
            do {
                nodes = try resolver.resolve(String(target))
            } catch {
                return .invalid(error.description)
            }
        }
        let text = String(rest).trimmingSpaces
        guard !CommandLineWords.split(text).isEmpty else {
            return .invalid("type: \(targets == nil ? "node " : "")method args…")
        }
        return .send(text: text, toNodes: nodes)
    }
}

extension String {
    /// The string without leading and trailing spaces.
    var trimmingSpaces: String {
        let trimmedStart = drop { $0 == " " }
        return String(trimmedStart.reversed().drop { $0 == " " }.reversed())
    }
}
