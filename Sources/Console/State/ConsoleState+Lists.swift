import Shared

extension ConsoleState {
    /// A node's liveness now.
    public func liveness(of node: NodeRecord) -> Liveness {
        Liveness(lastSeen: node.lastSeen, helloInterval: node.helloInterval, saidBye: node.saidBye, now: now)
    }

    /// The Nodes pane's rows: filtered, down first, then stale, then up, each in natural order of names (which
    /// ``nodes`` already has, so a frame sorts nothing: it deals the nodes into three lists).
    public var visibleNodes: [NodeRecord] {
        let filter = RowFilter(filters[.nodes] ?? "")
        var bySeverity: [[NodeRecord]] = [[], [], []]
        for node in nodes {
            let state = liveness(of: node)
            if !filter.isEmpty {
                let text = nodeLabels.isEmpty ? [node.name] : [node.name] + filterTerms(of: node.name)
                guard filter.matches(node: node.name, state: state.rawValue, text: text) else { continue }
            }
            bySeverity[state.severity].append(node)
        }
        return bySeverity.flatMap { $0 }
    }

    /// The Messages pane's rows: all nodes' or the selected node's, filtered, newest first.
    public var visibleMessages: [OutboxRecord] {
        let filter = RowFilter(filters[.messages] ?? "")
        let node = showAllMessages ? nil : selectedNode
        var rows = messages
        if foldsFanOuts {
            rows = foldedMessages
        } else if node != nil || !filter.isEmpty {
            rows = messages.filter { record in
                let to = record.message.toNode ?? ""
                if let node, to != node { return false }
                if filter.isEmpty { return true }
                let text = [record.id, to, record.message.method.rawValue] + (record.message.methodArgs ?? [])
                return filter.matches(node: to, state: record.state.rawValue, text: text)
            }
        }
        // Snapshots come newest first: a check instead of a sort keeps 100,000 rows cheap.
        if !rows.isNewestFirst { rows.sort { $0.sequence > $1.sequence } }
        return rows
    }

    /// The error log, newest first, filtered with the Messages pane's filter.
    public var visibleErrors: [ErrorRecord] {
        let filter = RowFilter(filters[.messages] ?? "")
        return errors.filter { error in
            let text = [error.node, error.error, error.messageId ?? "", error.method ?? "", error.toNode ?? ""]
            return filter.matches(node: error.node, state: error.kind.rawValue, text: text)
        }
        .sorted { $0.time > $1.time }
    }

    /// The selected node's index in ``visibleNodes`` (the first row when the selection is not shown).
    public var nodeIndex: Int { nodeIndex(in: visibleNodes) }
    public var messageIndex: Int { messageIndex(in: visibleMessages) }

    /// The selected node's index in `list`, a ``visibleNodes`` computed once by the caller.
    func nodeIndex(in list: [NodeRecord]) -> Int { list.firstIndex { $0.name == selectedNode } ?? 0 }
    func messageIndex(in list: [OutboxRecord]) -> Int { list.firstIndex { $0.id == selectedMessage } ?? 0 }

    /// The node the cursor is on, if the list is not empty.
    public var currentNode: NodeRecord? {
        let list = visibleNodes
        return list.isEmpty ? nil : list[nodeIndex(in: list)]
    }

    public var currentMessage: OutboxRecord? {
        let list = visibleMessages
        return list.isEmpty ? nil : list[messageIndex(in: list)]
    }

    /// The message whose id is `id` or starts or ends with it (as shown on screen), if exactly one matches.
    public func message(matching id: String) -> OutboxRecord? {
        if let exact = messages.first(where: { $0.id == id }) { return exact }
        let needle = id.lowercased()
        let found = messages.filter {
            let plain = ShortID.plain($0.id)
            return plain.hasPrefix(needle) || plain.hasSuffix(needle) || $0.id.lowercased().hasPrefix(needle)
        }
        return found.count == 1 ? found[0] : nil
    }
}

extension [OutboxRecord] {
    /// Whether the records are in descending sequence order.
    var isNewestFirst: Bool {
        guard count > 1 else { return true }
        for index in 1..<count where self[index - 1].sequence < self[index].sequence { return false }
        return true
    }
}
