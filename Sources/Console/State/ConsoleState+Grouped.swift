import Shared

extension ConsoleState {
    /// Whether the Messages pane folds each fan-out into one row: with all nodes' messages and no filter.
    var foldsFanOuts: Bool { showAllMessages && filters[.messages] == nil && !fanOuts.isEmpty }

    /// The outcome groups of the fan-out led by `lead`, and the message id of each node.
    func outcomeGroups(lead: String) -> (groups: OutcomeGroups, ids: [String: String])? {
        guard let members = fanOuts.members[lead] else { return nil }
        let outcomes = members.map { NodeOutcome(node: $0.message.toNode ?? "", id: $0.id, record: $0) }
        var groups = OutcomeGroups(outcomes)
        for index in groups.groups.indices {
            groups.groups[index].nodes = NaturalOrder.sorted(groups.groups[index].nodes)
        }
        return (groups, Dictionary(outcomes.map { ($0.node, $0.id) }) { first, _ in first })
    }

    /// The grouped view: j/k move between groups, Tab cycles the nodes of the group, Enter opens that node's
    /// output, Esc goes back.
    mutating func handleGrouped(_ key: Key, _ view: GroupedView) -> [ConsoleAction] {
        guard let (groups, ids) = outcomeGroups(lead: view.lead), !groups.groups.isEmpty else {
            mode = .normal
            return []
        }
        var view = view
        let count = groups.groups.count
        switch key {
        case .escape, .char("q"):
            mode = .normal
            return []
        case .down, .char("j"): (view.group, view.node) = (min(view.group + 1, count - 1), 0)
        case .up, .char("k"): (view.group, view.node) = (max(view.group - 1, 0), 0)
        case .tab: view.node = (view.node + 1) % max(1, groups.groups[min(view.group, count - 1)].nodes.count)
        case .backTab:
            let nodes = max(1, groups.groups[min(view.group, count - 1)].nodes.count)
            view.node = (view.node + nodes - 1) % nodes
        case .enter:
            let nodes = groups.groups[min(view.group, count - 1)].nodes
            if let id = ids[nodes[min(view.node, nodes.count - 1)]] {
                selectedMessage = view.lead
                mode = .viewer(OutputViewer(messageID: id))
            }
            return []
        default: break
        }
        mode = .grouped(view)
        return []
    }
}
