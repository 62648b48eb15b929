import Foundation

/// Turns Ctrl-C (SIGINT) and SIGTERM into a call of `action` while it lives, instead of ending the process:
/// `bosun send` then says what became of its messages before it exits. The default actions come back after.
final class InterruptSignals {
    private let sources: [any DispatchSourceSignal]
    private static let signals = [SIGINT, SIGTERM]

    init(_ action: @escaping @Sendable () -> Void) {
        sources = Self.signals.map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler(handler: action)
            source.resume()
            return source
        }
    }

    deinit {
        sources.forEach { $0.cancel() }
        Self.signals.forEach { signal($0, SIG_DFL) }
    }
}
