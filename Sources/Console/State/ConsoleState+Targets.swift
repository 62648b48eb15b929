extension ConsoleState {
    /// Resolves the compose line's first word: the known nodes with their labels, and the groups.
    var targetResolver: TargetResolver {
        TargetResolver(known: nodes.map { .init(name: $0.name, labels: nodeLabels[$0.name] ?? [:]) }, groups: groups)
    }
}
