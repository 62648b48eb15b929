/// Why a message's arguments were refused before anything ran: names the argument and says what was wrong.
struct ArgumentError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The argument concerned: `methodArgs[1]`, `--offset`, `data`, `methodTimeout`.
    var argument: String
    var reason: String

    init(_ argument: String, _ reason: String) {
        self.argument = argument
        self.reason = reason
    }

    var description: String { "argument `\(argument)`: \(reason)" }
}
