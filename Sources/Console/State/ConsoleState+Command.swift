import Shared

extension ConsoleState {
    mutating func handleCommand(_ key: Key) -> [ConsoleAction] {
        switch key {
        case .escape:
            mode = .normal
        case .enter:
            mode = .normal
            return run(command: commandLine.text)
        case .backspace where commandLine.isEmpty:
            mode = .normal
        default:
            _ = commandLine.edit(key)
        }
        return []
    }

    /// Runs a `:` command: `send`, `retry ID`, `cancel ID`, `replay ID`, `errors`, `logs [NODE]`, `overview`, `rollouts`,
    /// `all`, `help`, `q`.
    mutating func run(command line: String) -> [ConsoleAction] {
        let words = CommandLineWords.split(line)
        guard let name = words.first else { return [] }
        let argument = words.dropFirst().first
        switch name {
        case "q", "quit", "q!":
            return name == "q!" ? [.quit] : requestQuit()
        case "send":
            let rest = line.trimmingSpaces.dropFirst(4).drop { $0 == " " }
            if rest.isEmpty {
                startCompose()
                return []
            }
            compose.set(String(rest))
            composeTargets = marked.isEmpty ? nil : marked.sorted()
            return sendCompose()
        case "retry", "cancel", "replay":
            guard let argument else {
                flash(":\(name) needs a message id", error: true)
                return []
            }
            guard let record = message(matching: argument) else {
                flash("no single message matches \(argument)", error: true)
                return []
            }
            let action: ConsoleAction =
                name == "retry" ? .retry(record.id) : name == "cancel" ? .cancel(record.id) : .replay(record.id)
            return act(action, on: record)
        case "errors":
            selectedError = 0
            mode = .errors
        case "all":
            showAllMessages = true
            keepSelectionsValid()
        case "logs":
            return openLogs(node: argument, name: words.dropFirst(2).first.map { String($0) })
        case "overview":
            mode = .overview
        case "rollouts":
            mode = .rollouts(RolloutsView())
        case "help":
            mode = .help
        default:
            flash("unknown command :\(name) (try :send, :retry ID, :cancel ID, :replay ID, :errors, :logs NODE [NAME], :logs * NAME, :overview, :rollouts, :q)", error: true)
        }
        return []
    }

    mutating func handleErrors(_ key: Key) -> [ConsoleAction] {
        let count = visibleErrors.count
        switch key {
        case .escape, .char("e"): mode = .normal
        case .char("q"), .ctrl("c"): return requestQuit()
        case .down, .char("j"): selectedError = min(max(0, count - 1), selectedError + 1)
        case .up, .char("k"): selectedError = max(0, selectedError - 1)
        case .pageDown: selectedError = min(max(0, count - 1), selectedError + pageSize)
        case .pageUp: selectedError = max(0, selectedError - pageSize)
        case .char("g"), .home: selectedError = 0
        case .char("G"), .end: selectedError = max(0, count - 1)
        case .char("/"):
            filterEditor = LineEditor(filters[.messages] ?? "")
            mode = .filter(.messages)
        case .char("y"):
            guard selectedError < count else { return [] }
            let text = visibleErrors[selectedError].error
            flash("copied the error")
            return [.copy(text)]
        default: break
        }
        return []
    }
}
