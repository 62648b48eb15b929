/// The shape of one method's `methodArgs`: leading `--name` or `--name=value` options, then positional
/// arguments. Options end at the first item that does not start with `--`, or at a lone `--`.
///
/// Checking is pure (no file system, nothing run), so every method can refuse bad arguments up front.
struct ArgumentSpec: Sendable {
    enum Kind: Sendable, Equatable {
        /// `--name`, no value.
        case flag
        /// `--name=text`, at most once.
        case text
        /// `--name=text`, any number of times.
        case repeated
        /// `--name=N`, a whole number ≥ 0.
        case count
        /// `--name=0644`, octal file permissions.
        case octal
        /// `--name=value`, one of the given words.
        case choice([String])
    }

    var method: String
    var options: [String: Kind] = [:]
    /// Names of the positional arguments, for messages: `["path"]`.
    var positional: [String] = []
    /// Whether more positional arguments may follow (an argv).
    var variadic = false
    /// Whether the method uses `data`.
    var takesData = false

    /// Checks `message`'s arguments against the spec and returns them parsed.
    func parse(_ arguments: [String], data: String?, methodTimeout: Double?) throws(ArgumentError) -> ParsedArguments {
        if let methodTimeout, !(methodTimeout.isFinite && methodTimeout >= 0) {
            throw ArgumentError("methodTimeout", "must be a non-negative number of seconds, got \(methodTimeout)")
        }
        if data != nil, !takesData {
            throw ArgumentError("data", "\(method) takes no data")
        }
        var parsed = ParsedArguments()
        var index = 0
        while index < arguments.count, arguments[index].hasPrefix("--") {
            let item = arguments[index]
            index += 1
            if item == "--" { break }
            try parseOption(item, at: index - 1, into: &parsed)
        }
        parsed.positional = Array(arguments[index...])
        let count = parsed.positional.count
        if count < positional.count {
            let missing = positional[count]
            throw ArgumentError(
                "methodArgs[\(index + count)]", "\(method) needs \(usage); `\(missing)` is missing")
        }
        if count > positional.count, !variadic {
            throw ArgumentError(
                "methodArgs[\(index + positional.count)]",
                "\(method) takes \(usage); got \(count) positional argument\(count == 1 ? "" : "s")")
        }
        return parsed
    }

    /// How a person writes the positional arguments: `<path>`, or `nothing`.
    var usage: String {
        if positional.isEmpty { return variadic ? "arguments" : "no arguments" }
        return positional.map { "<\($0)>" }.joined(separator: " ") + (variadic ? " …" : "")
    }

    private func parseOption(_ item: String, at index: Int, into parsed: inout ParsedArguments) throws(ArgumentError) {
        let body = item.dropFirst(2)
        let name = String(body.prefix { $0 != "=" })
        let value = body.contains("=") ? String(body.drop { $0 != "=" }.dropFirst()) : nil
        let position = "methodArgs[\(index)]"
        guard let kind = options[name] else {
            let known = options.keys.sorted().map { "--\($0)" }.joined(separator: ", ")
            throw ArgumentError(
                "--\(name)", "unknown option in \(position) for \(method) (it takes \(known.isEmpty ? "none" : known))")
        }
        if kind == .flag {
            guard value == nil else { throw ArgumentError("--\(name)", "takes no value, got \"\(value ?? "")\"") }
            parsed.flags.insert(name)
            return
        }
        guard let value else { throw ArgumentError("--\(name)", "needs a value: --\(name)=…") }
        if kind != .repeated, parsed.values[name] != nil {
            throw ArgumentError("--\(name)", "given more than once")
        }
        switch kind {
        case .count:
            guard let number = Int(value), number >= 0 else {
                throw ArgumentError("--\(name)", "must be a whole number ≥ 0, got \"\(value)\"")
            }
        case .octal:
            guard let mode = Int(value, radix: 8), (0...0o7777).contains(mode) else {
                throw ArgumentError("--\(name)", "must be octal permissions like 0644, got \"\(value)\"")
            }
        case .choice(let words):
            guard words.contains(value) else {
                throw ArgumentError("--\(name)", "must be one of \(words.joined(separator: ", ")), got \"\(value)\"")
            }
        case .flag, .text, .repeated:
            break
        }
        parsed.values[name, default: []].append(value)
    }
}

/// Arguments that passed their spec.
struct ParsedArguments: Sendable, Equatable {
    var flags: Set<String> = []
    var values: [String: [String]] = [:]
    var positional: [String] = []

    func value(_ name: String) -> String? { values[name]?.last }

    /// A `.count` option's value (checked already).
    func count(_ name: String) -> Int? { value(name).flatMap { Int($0) } }

    /// An `.octal` option's value (checked already).
    func octal(_ name: String) -> Int? { value(name).flatMap { Int($0, radix: 8) } }
}
