import Shared

extension Renderer {
    mutating func drawDetail(_ rect: Rect, single: Bool) {
        let focused = state.focus == .detail
        let lines: [[TableCell]]
        let title: String
        if state.detailSubject == .messages, let record = currentMessage {
            title = paneTitle(.detail, " \(glyphs.dot) \(ShortID.of(record.id))")
            lines = messageDetail(record)
        } else if let node = currentNode {
            title = paneTitle(.detail, " \(glyphs.dot) \(node.name)")
            lines = nodeDetail(node)
        } else {
            title = paneTitle(.detail, "")
            lines = [[TableCell(text: "no node yet: nodes appear with their first hello", style: .faint)]]
        }
        drawBox(rect, title: title, rightTitle: single ? "Tab: next pane" : "live", focused: focused)
        let area = inner(rect)
        for (offset, line) in lines.prefix(area.height).enumerated() {
            var x = area.x + 1
            for segment in line {
                x += frame.put(segment.text, x: x, y: area.y + offset, style: segment.style, limit: area.x + area.width - x)
            }
        }
    }

    func nodeDetail(_ node: NodeRecord) -> [[TableCell]] {
        let facts = NodeFacts(node.facts)
        let live = glyphs.liveness(state.liveness(of: node))
        var about = [facts.arch, facts.os, facts.hostname].compactMap { $0 }.joined(separator: ", ")
        if !about.isEmpty { about = "(\(about))" }
        var first = [TableCell(text: "node  ", style: .faint), TableCell(text: node.name, style: Style(bold: true))]
        first.append(TableCell(text: "  \(about)  agent \(facts.version ?? "?")"))
        if let uptime = facts.uptime { first.append(TableCell(text: "  up \(TimeText.uptime(uptime))")) }
        first.append(TableCell(text: "  last seen \(TimeText.age(from: node.lastSeen, to: state.now)) ago  "))
        first.append(TableCell(text: live.text, style: live.style))
        var lines = [first, linkLine(node.name, facts)] + metricLines(node.name)
        // The state keeps messages newest first: the first twenty found are the newest twenty. Reading the
        // field through the subscript, not copying whole records, keeps this scan cheap at 100,000 messages.
        var records: [OutboxRecord] = []
        let messages = state.messages
        for index in messages.indices where messages[index].message.toNode == node.name {
            records.append(messages[index])
            if records.count == 20 { break }
        }
        for record in records {
            lines.append(summary(record))
            if let output = record.outcome?.stdout?.splitLines().first {
                lines.append([TableCell(text: "    " + output, style: .faint)])
            }
        }
        if records.isEmpty { lines.append([TableCell(text: "no messages to this node yet; c composes one", style: .faint)]) }
        return lines
    }

    /// `link  round trip 250ms · 3 reconnects · 2 waiting, oldest 5m`.
    func linkLine(_ node: String, _ facts: NodeFacts) -> [TableCell] {
        let health = state.linkHealth[node] ?? LinkHealth()
        var parts = [health.roundTrip.map { "round trip \(TimeText.roundTrip($0))" } ?? "no round trip yet"]
        if let reconnects = facts.reconnects { parts.append("\(reconnects) reconnect" + (reconnects == 1 ? "" : "s")) }
        if let oldest = health.oldestPendingSince {
            parts.append("\(health.pending) waiting, oldest \(TimeText.age(from: oldest, to: state.now))")
        } else {
            parts.append("nothing waiting")
        }
        return [TableCell(text: "link  ", style: .faint), TableCell(text: parts.joined(separator: " \(glyphs.dot) "))]
    }

    func messageDetail(_ record: OutboxRecord) -> [[TableCell]] {
        let shown = glyphs.message(record.state)
        var lines: [[TableCell]] = [
            [
                TableCell(text: "message  ", style: .faint), TableCell(text: ShortID.of(record.id), style: Style(bold: true)),
                TableCell(text: "  \(record.commandText)  \(glyphs.arrow) \(record.message.toNode ?? "-")  "),
                TableCell(text: shown.text, style: shown.style),
            ],
            [TableCell(text: "id " + record.id + "  " + timeline(record), style: .plain)],
        ]
        for line in record.outputLines.prefix(30) { lines.append([TableCell(text: "  " + line)]) }
        lines.append([TableCell(text: "Enter: full output · y: copy id · r retry · x cancel · p replay", style: .faint)])
        return lines
    }

    /// One line per message: time, id, command, and where it stands.
    func summary(_ record: OutboxRecord) -> [TableCell] {
        let created = record.message.createdAt ?? record.updatedAt
        let shown = glyphs.message(record.state)
        return [
            TableCell(text: TimeText.clock(created, utcOffset: state.utcOffset) + "  ", style: .faint),
            TableCell(text: ShortID.of(record.id) + " ", style: .faint),
            TableCell(text: DisplayWidth.truncate(record.commandText, to: 30) + "  "),
            TableCell(text: shown.text, style: shown.style),
            TableCell(text: "  " + timeline(record), style: .faint),
        ]
    }

    /// Where a message stands: attempts, the next retry, how it ended.
    func timeline(_ record: OutboxRecord) -> String {
        let dot = " \(glyphs.dot) "
        let attempts = "\(record.attempts) attempt\(record.attempts == 1 ? "" : "s")"
        var parts: [String] = []
        switch record.state {
        case .queued, .sending:
            parts.append(attempts)
            if record.state == .sending { parts.append("no ack yet") }
            if let next = record.nextAttemptAt {
                parts.append("next retry in " + TimeText.duration(max(0, next.seconds(since: state.now))))
            }
        case .inProgress:
            parts += [attempts, "running on \(record.message.toNode ?? "the node")"]
        case .acked:
            let created = record.message.createdAt ?? record.updatedAt
            parts.append("acked in " + TimeText.duration(max(0, record.updatedAt.seconds(since: created))))
            if let code = record.outcome?.exitCode { parts.append("exit \(code)") }
        case .failed, .expired, .rejected:
            parts.append("\(record.state.rawValue) after \(attempts)")
        case .cancelled:
            parts.append("cancelled")
        case .sent:
            parts.append("published once; no ACK asked")
        }
        if record.state != .acked, let error = record.reply?.error ?? record.lastError { parts.append(error) }
        return parts.joined(separator: dot)
    }
}
