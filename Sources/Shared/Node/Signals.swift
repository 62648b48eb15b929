import Dispatch
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Graceful shutdown: runs `body` and cancels it when one of `signals` arrives (SIGTERM, SIGINT by default),
/// so that services stop taking work, finish up and return. With `beforeCancel`, the first signal runs it (stop
/// taking work, let what runs finish) and cancels after; a second signal cancels at once.
public func withCancellationOnSignals<T: Sendable>(
    _ signals: [Int32] = [SIGTERM, SIGINT], beforeCancel: (@Sendable () async -> Void)? = nil,
    _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    let task = Task { try await body() }
    let signalled = Atomic<Int>(0)
    let sources = signals.map { number in
        signal(number, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
        source.setEventHandler {
            let count = signalled.add(1, ordering: .relaxed).newValue
            guard count == 1, let beforeCancel else { return task.cancel() }
            Task {
                await beforeCancel()
                task.cancel()
            }
        }
        source.resume()
        return source
    }
    defer { sources.forEach { $0.cancel() } }
    return try await withTaskCancellationHandler {
        try await task.value
    } onCancel: {
        task.cancel()
    }
}

