import Logging
import Shared

/// Sends a metrics sample to the central node every `interval`, through the outbox (EventACK `metrics`), so
/// samples taken while the central node or the link is down wait and arrive later, in order, without a gap.
struct MetricsReporter<C: Clock>: Sendable where C.Duration == Duration {
    var mounts: [String]
    var interval: Duration
    var central: String
    var clock: C
    var store: Store
    /// Accepts messages into the node's outbox.
    var send: @Sendable ([Message]) throws -> Void
    var logger: Logger
    /// The wall-clock time a sample is stamped with.
    var now: @Sendable () -> Timestamp = { .now }

    func run() async throws {
        var sampler = MetricsSampler(mounts: mounts)
        // A first reading only sets the counters, so the first sample sent has CPU use and network rates.
        _ = sampler.sample(at: now())
        var next = clock.now.advanced(by: interval)
        try await clock.sleep(until: next, tolerance: nil)
        while !Task.isCancelled {
            var sample = sampler.sample(at: now())
            addQueue(to: &sample)
            let message = Message(
                toNode: central, messageType: .eventACK, method: .metrics,
                data: String(decoding: sample.encoded(), as: UTF8.self))
            do {
                try send([message])
            } catch {
                logger.warning("cannot queue a metrics sample: \(error)")
            }
            // Between samples an agent mostly waits: what this one and the hello beside it freed goes back to the
            // system rather than staying resident until the next burst (glibc keeps up to 2 MiB a heap, set for
            // busy senders in NodeRuntime): about 1 MB of the idle RSS. An idle agent's trim is a few madvise
            // calls, well under a millisecond.
            MallocTuning.trim()
            // On schedule, but after a pause (a suspended machine) start again from now rather than catch up.
            next = max(next.advanced(by: interval), clock.now)
            try await clock.sleep(until: next, tolerance: nil)
        }
    }

    /// The outbox's waiting messages and the age of the oldest, in one query over what waits.
    private func addQueue(to sample: inout MetricsSample) {
        guard let waiting = try? store.waiting() else { return }
        sample.queue = waiting.count
        if let oldest = waiting.oldestAcceptedAt {
            sample.queueAge = max(0, sample.time.seconds(since: oldest))
        }
    }
}
