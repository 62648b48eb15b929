import Shared

/// Turns what the compose bar sends (`method args…` and its nodes) into the draft the engine accepts.
public enum ComposeMessage {
    /// One draft addressed to every node in `toNodes` (the outbox fans it out, one tracked message per node).
    ///
    /// The first word is the method when Bosun knows it (`ping`, `cliCommand uptime`); any other first word
    /// starts a shell-free command line, so `pi-garage df -h` runs `df -h` as a `cliCommand`.
    public static func draft(text: String, toNodes: [String]) throws(MessageError) -> Message {
        for node in toNodes { try NodeName.validate(node, field: "toNodes") }
        let words = CommandLineWords.split(text)
        guard let first = words.first else {
            throw MessageError(.missingField, field: "method", "type a method or a command after the node")
        }
        let known = Method.known.first { $0.rawValue == first }
        let method = known ?? .cliCommand
        let arguments = known == nil ? words : Array(words.dropFirst())
        if method == .cliCommand, arguments.isEmpty {
            throw MessageError(.missingField, field: "methodArgs", "cliCommand needs a command, e.g. cliCommand uptime")
        }
        return Message(toNodes: toNodes, method: method, methodArgs: arguments)
    }
}
