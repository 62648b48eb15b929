import Shared

extension ConsoleState {
    /// A node's liveness now.
    public func liveness(of node: NodeRecord) -> Liveness {
        Liveness(lastSeen: node.lastSeen, helloInterval: node.helloInterval, saidBye: node.saidBye, now: now)
    }

    /// The Nodes pane's rows: filtered, down first, then stale, then up, then by name.
    public var visibleNodes: [NodeRecord] {
        let filter = RowFilter(filters[.nodes] ?? "")
        var rows: [(node: NodeRecord, severity: Int)] = []
        for node in nodes {
            let state = liveness(of: node)
            if filter.matches(node: node.name, state: state.rawValue, text: [node.name]) {
                rows.append((node, state.severity))
            }
        }
        rows.sort { lhs, rhs in
            if lhs.severity != rhs.severity { return lhs.severity < rhs.severity }
            return lhs.node.name < rhs.node.name
        }
        return rows.map(\.node)
    }

    /// The Messages pane's rows: all nodes' or the selected node's, filtered, newest first.
    public var visibleMessages: [OutboxRecord] {
        let filter = RowFilter(filters[.messages] ?? "")
        let node = showAllMessages ? nil : selectedNode
        return messages.filter { record in
            let to = record.message.toNode ?? ""
            if let node, to != node { return false }
            let text = [record.id, to, record.message.method.rawValue] + (record.message.methodArgs ?? [])
            return filter.matches(node: to, state: record.state.rawValue, text: text)
        }
        .sorted { $0.sequence > $1.sequence }
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
    public var nodeIndex: Int { visibleNodes.firstIndex { $0.name == selectedNode } ?? 0 }
    public var messageIndex: Int { visibleMessages.firstIndex { $0.id == selectedMessage } ?? 0 }

    /// The node the cursor is on, if the list is not empty.
    public var currentNode: NodeRecord? {
        let list = visibleNodes
        return list.isEmpty ? nil : list[nodeIndex]
    }

    public var currentMessage: OutboxRecord? {
        let list = visibleMessages
        return list.isEmpty ? nil : list[messageIndex]
    }

    /// Messages the sender is still working on.
    public var pendingCount: Int { messages.count { !$0.state.isFinal } }

    /// Pending messages per destination node.
    public var pendingByNode: [String: Int] {
        var counts: [String: Int] = [:]
        for record in messages where !record.state.isFinal { counts[record.message.toNode ?? "", default: 0] += 1 }
        return counts
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
