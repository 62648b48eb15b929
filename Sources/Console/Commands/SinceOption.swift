import ArgumentParser

/// A span back from now, written `90s`, `10m`, `1h`, `2d` (or plain seconds): the `--since` of `logs` and `metrics`.
struct SinceOption: ExpressibleByArgument, Sendable, Equatable {
    var seconds: Double

    init(seconds: Double) { self.seconds = seconds }

    init?(argument: String) {
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
        var number = Substring(argument)
        var unit: Double = 1
        if let last = argument.last, let scale = units[last] {
            number = number.dropLast()
            unit = scale
        }
        guard let value = Double(number), value.isFinite, value >= 0 else { return nil }
        seconds = value * unit
    }

    static var defaultCompletionKind: CompletionKind { .default }
}
