import Shared

extension Renderer {
    /// ` bosun  nats://… ● connected    12 nodes: 10 up · 1 stale · 1 down    outbox 4      14:02:31`
    mutating func drawHeader() {
        let width = frame.cols
        frame.clear(x: 0, y: 0, width: width, style: Style(.header, reverse: true))
        let clock = TimeText.clock(state.now, utcOffset: state.utcOffset)
        let counts = liveness
        let connected = state.connection == "connected"
        let dot = " \(glyphs.dot) "
        let segments: [(String, Style)] = [
            (" bosun  ", Style(.header, bold: true, reverse: true)),
            (state.serverURL + " ", Style(.header, reverse: true)),
            (
                glyphs.liveness(connected ? .up : .down).text.prefix(2) + state.connection,
                Style(connected ? .up : .down, bold: !connected, reverse: true)
            ),
            (
                "    \(state.nodes.count) nodes: \(counts[.up] ?? 0) up\(dot)\(counts[.stale] ?? 0) stale\(dot)"
                    + "\(counts[.down] ?? 0) down", Style(.header, reverse: true)
            ),
            ("    outbox \(state.pendingCount)", Style(.header, reverse: true)),
        ]
        + (state.scheduledCount == 0 ? [] : [("  scheduled \(state.scheduledCount)", Style(.header, reverse: true))])
        let limit = width - DisplayWidth.of(clock) - 2
        var x = 0
        // Whole segments only: a cut-off count reads as a different number.
        for (text, style) in segments where DisplayWidth.of(text) <= limit - x {
            x += frame.put(text, x: x, y: 0, style: style, limit: limit - x)
        }
        frame.put(clock, x: width - DisplayWidth.of(clock) - 1, y: 0, style: Style(.header, bold: true, reverse: true))
    }

    /// The compose bar (or the line being typed), the flash line and the key hints.
    mutating func drawBottom() {
        let rows = frame.rows
        drawInputLine(y: rows - 3)
        if let flash = state.flash {
            let style = flash.isError ? Style(.failed, bold: true) : Style(.acked)
            frame.put(" " + (flash.isError ? glyphs.message(.failed).text.prefix(1) : "") + " " + flash.text, x: 0,
                y: rows - 2, style: style)
        }
        frame.put(" " + hints, x: 0, y: rows - 1, style: .faint)
    }

    private mutating func drawInputLine(y: Int) {
        let (prompt, editor, hint): (String, LineEditor?, String)
        switch state.mode {
        case .compose:
            let targets = state.composeTargets.map { "\($0.joined(separator: ",")) \(glyphs.arrow) " } ?? ""
            (prompt, editor, hint) = (" > " + targets, state.compose, "Enter send · Tab complete · Esc leave")
        case .filter(let pane):
            (prompt, editor, hint) = (" / ", state.filterEditor, "\(pane.title) · state:failed · node:pi-* · Enter keep · Esc clear")
        case .command:
            (prompt, editor, hint) = (" : ", state.commandLine, "send · retry ID · cancel ID · replay ID · errors · logs NODE · overview · rollouts · q")
        case .logs(let viewer) where viewer.searching:
            (prompt, editor, hint) = (" search / ", viewer.search, "Enter find · Esc cancel")
        case .logs(let viewer) where viewer.filtering:
            (prompt, editor, hint) = (" filter | ", viewer.filter, "only matching lines · Enter keep · Esc clear")
        case .viewer(let viewer) where viewer.searching:
            (prompt, editor, hint) = (" search / ", viewer.search, "Enter find · Esc cancel")
        case .confirmQuit:
            frame.put(" The compose bar holds text. Quit anyway? y/n", x: 0, y: y, style: Style(.stale, bold: true))
            return
        case .confirmApproval(let node):
            let key = state.nodes.first { $0.name == node }?.publicKey.flatMap(NodeKey.fingerprint(of:)) ?? "?"
            frame.put(" Approve \(node), key \(key)? (compare it with the agent's log) y/n", x: 0, y: y, style: Style(.stale, bold: true))
            return
        case .rollouts(let view) where view.confirming != nil && view.selected < state.rollouts.count:
            let operation = state.rollouts[view.selected].operation
            let word = view.confirming?.rawValue ?? ""
            let text = " \(word.prefix(1).uppercased() + word.dropFirst()) rollout \(ShortID.of(operation))? y/n"
            frame.put(text, x: 0, y: y, style: Style(.stale, bold: true))
            return
        default:
            let draft = state.compose.isEmpty ? "" : state.compose.text
            let text = draft.isEmpty ? "c compose" : draft + "   (c to continue)"
            frame.put(" > " + text, x: 0, y: y, style: .faint)
            return
        }
        var x = frame.put(prompt, x: 0, y: y, style: Style(.header, bold: true))
        guard let editor else { return }
        let before = String(editor.characters.prefix(editor.cursor))
        let after = String(editor.characters.dropFirst(editor.cursor))
        let hintWidth = DisplayWidth.of(hint) + 2
        let room = frame.cols - x - hintWidth - 1 > 20 ? frame.cols - x - hintWidth - 1 : frame.cols - x - 1
        // Keep the cursor in view: show the end of a long line.
        var shownBefore = before
        while DisplayWidth.of(shownBefore) > room - 1, !shownBefore.isEmpty { shownBefore.removeFirst() }
        x += frame.put(shownBefore, x: x, y: y)
        let cursorCharacter = after.first.map(String.init) ?? " "
        let cursorWidth = frame.put(cursorCharacter, x: x, y: y, style: Style(reverse: true))
        frame.put(String(after.dropFirst()), x: x + cursorWidth, y: y, limit: max(0, room - DisplayWidth.of(shownBefore) - cursorWidth))
        if room < frame.cols - x - 1 || frame.cols - hintWidth > x + cursorWidth + 1 {
            let hintX = frame.cols - hintWidth
            if hintX > x + cursorWidth + DisplayWidth.of(after) { frame.put(hint, x: hintX, y: y, style: .faint) }
        }
    }

    /// The key-hint line for the current mode.
    var hints: String {
        switch state.mode {
        case .normal, .confirmQuit, .confirmApproval:
            return "? help  : command  / filter  Tab pane  j/k move  Enter open  c compose  Space mark  r retry  "
                + "x cancel  p replay  y copy  e errors  a all  l logs  o overview  R rollouts  q quit"
        case .compose: return "Enter send  Tab complete  ↑↓ history  Esc leave (keeps the text)  Ctrl-U clear"
        case .filter: return "type to filter  Enter keep  Esc clear"
        case .command: return "Enter run  Esc cancel"
        case .help: return "any key closes the help"
        case .errors: return "j/k move  / filter  y copy  Esc back"
        case .overview: return "refreshed live  Esc back"
        case .rollouts: return "j/k move  P pause  u resume  X abort (each asks y/n)  Esc back"
        case .logs: return "f follow/pause  j/k scroll  PgUp/Dn page  g/G top/end  / search  n/N next/prev  | filter  Esc back"
        case .viewer: return "j/k scroll  PgUp/PgDn page  g/G top/bottom  / search  n/N next/previous  y copy  Esc back"
        case .grouped: return "j/k group  Tab next node of the group  Enter its output  Esc back"
        }
    }
}
