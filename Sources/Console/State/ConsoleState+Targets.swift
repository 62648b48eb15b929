extension ConsoleState {
    /// Resolves the compose line's first word: the known nodes with their labels, and the groups.
    var targetResolver: TargetResolver { TargetResolver(records: nodes, groups: groups) }
}
