import Shared

extension OutboxRecord {
    /// The message as the operator typed it: `method args…`.
    var commandText: String {
        ([message.method.rawValue] + (message.methodArgs ?? [])).joined(separator: " ")
    }

    /// What the output viewer shows: the command's stdout, then its stderr, then any error, line by line; for a
    /// message whose result came later (httpGet), that result.
    var outputLines: [String] {
        let reply = outcome
        var lines: [String] = []
        if let stdout = reply?.stdout, !stdout.isEmpty { lines += stdout.splitLines() }
        if let stderr = reply?.stderr, !stderr.isEmpty {
            lines.append("── stderr ──")
            lines += stderr.splitLines()
        }
        if let error = reply?.error ?? lastError {
            lines.append("── error ──")
            lines += error.splitLines()
        }
        if let code = reply?.exitCode { lines.append("── exit \(code)\(reply?.truncated == true ? " · truncated" : "") ──") }
        if lines.isEmpty { lines.append(state.isFinal ? "(no output)" : "(no reply yet)") }
        return lines
    }
}

extension String {
    /// Lines without their terminators; a final newline does not add an empty line. Tabs become spaces.
    func splitLines() -> [String] {
        var lines = split(separator: "\n", omittingEmptySubsequences: false).map {
            String($0.filter { $0 != "\r" }).replacing("\t", with: "    ")
        }
        if lines.last == "" { lines.removeLast() }
        return lines
    }
}
