import Dispatch

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Runs `body` with a stream that yields each time the process gets SIGHUP (instead of being ended by it).
func withHangupSignals<T: Sendable>(_ body: (AsyncStream<Void>) async throws -> T) async throws -> T {
    let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
    signal(SIGHUP, SIG_IGN)
    let source = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
    source.setEventHandler { continuation.yield() }
    source.resume()
    defer {
        source.cancel()
        continuation.finish()
    }
    return try await body(stream)
}
