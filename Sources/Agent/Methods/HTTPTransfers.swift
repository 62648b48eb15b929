import CCurl
import Shared
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The `httpGet` transfers that run after their ACK, each on a thread of its own named `bosun-http`: libcurl
/// blocks the thread it runs on, and the cooperative pool must not be blocked. At most
/// ``HTTPDefaults/concurrentTransfers`` run at once. A thread ends with its transfer; stopping the agent lets
/// the transfers finish for its grace period, then cancels the rest.
final class HTTPTransfers: Sendable {
    private struct State {
        var running: [UInt64: TransferControl] = [:]
        var nextID: UInt64 = 0
    }

    private let state = Mutex(State())
    private let slots: Capacity

    init(concurrent: Int = HTTPDefaults.concurrentTransfers) {
        slots = Capacity(concurrent)
    }

    /// Transfers running now.
    var count: Int { state.withLock { $0.running.count } }

    /// Waits for a free slot, then starts `request` on a new thread; `finished` gets the outcome on that thread
    /// before the transfer counts as ended. Throws when no thread can be started.
    func start(
        _ request: HTTPRequest, finished: @escaping @Sendable (Result<HTTPResponse, HTTPFailure>) -> Void
    ) async throws(HTTPFailure) {
        await slots.acquire()
        let control = TransferControl()
        let id = state.withLock { state -> UInt64 in
            state.nextID += 1
            state.running[state.nextID] = control
            return state.nextID
        }
        let body = Unmanaged.passRetained(
            ThreadBody { [self] in
                _ = bosun_curl_name_thread("bosun-http")
                let outcome = Result { () throws(HTTPFailure) in
                    try CurlTransfer(request: request, control: control).perform()
                }
                finished(outcome)
                ended(id)
            })
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        var thread = pthread_t()
        let result = pthread_create(
            &thread, &attributes,
            { raw in
                Unmanaged<ThreadBody>.fromOpaque(raw!).takeRetainedValue().run()
                return nil
            }, body.toOpaque())
        guard result == 0 else {
            body.release()
            ended(id)
            throw HTTPFailure(
                description: "cannot start a thread for the transfer: \(String(cString: strerror(result)))")
        }
    }

    /// Lets the running transfers finish for up to `grace`, then cancels the rest and waits until they have ended
    /// and sent their result (libcurl notices within a second; after 5 s the agent stops without them). A cancelled
    /// task (a second SIGTERM) waits for nothing.
    func finish(grace: Duration) async {
        await waitUntilIdle(deadline: ContinuousClock.now + grace)
        state.withLock { $0.running.values.forEach { $0.cancel() } }
        await waitUntilIdle(deadline: ContinuousClock.now + .seconds(5))
    }

    private func waitUntilIdle(deadline: ContinuousClock.Instant) async {
        while count > 0, ContinuousClock.now < deadline {
            do { try await Task.sleep(for: .milliseconds(50)) } catch { return }
        }
    }

    private func ended(_ id: UInt64) {
        state.withLock { _ = $0.running.removeValue(forKey: id) }
        slots.release()
    }
}

/// Whether a transfer is to end early; cancelled from any thread, read by libcurl's progress callback.
final class TransferControl: Sendable {
    private let cancelled = Atomic<Bool>(false)

    var isCancelled: Bool { cancelled.load(ordering: .relaxed) }

    func cancel() { cancelled.store(true, ordering: .relaxed) }
}

/// A closure boxed for `pthread_create`.
private final class ThreadBody {
    let run: () -> Void
    init(_ run: @escaping () -> Void) { self.run = run }
}
