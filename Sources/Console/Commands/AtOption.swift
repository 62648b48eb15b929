import ArgumentParser
import Shared

/// `bosun send --at`: not before this time, given as RFC 3339 (`2026-11-30T14:00:00Z`) or from now (`+90s`,
/// `+10m`, `+2h`, `+1d`).
struct AtOption: ExpressibleByArgument, Sendable, Equatable {
    var time: Timestamp

    init(time: Timestamp) { self.time = time }

    init?(argument: String) {
        if argument.hasPrefix("+") {
            guard let span = SinceOption(argument: String(argument.dropFirst())) else { return nil }
            time = Timestamp.now.adding(seconds: span.seconds)
        } else {
            guard let time = Timestamp(rfc3339: argument) else { return nil }
            self.time = time
        }
    }

    static var defaultCompletionKind: CompletionKind { .default }
}
