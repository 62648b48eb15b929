import Dispatch

#if canImport(Glibc)
    import Glibc
#endif

/// Graceful shutdown: runs `body` and cancels it when one of `signals` arrives (SIGTERM, SIGINT by default),
/// so that services stop taking work, finish up and return.
public func withCancellationOnSignals<T: Sendable>(
    _ signals: [Int32] = [SIGTERM, SIGINT], _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    let task = Task { try await body() }
    let sources = signals.map { number in
        signal(number, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
        source.setEventHandler { task.cancel() }
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

