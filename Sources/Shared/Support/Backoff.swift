/// Exponential backoff with jitter: `initial × 2^(attempt-1)`, capped, then ±`jitter` at random.
public struct Backoff: Sendable, Equatable {
    /// Seconds before the first retry.
    public var initial: Double
    /// The longest wait, in seconds, before jitter.
    public var cap: Double
    /// The fraction of the wait added or taken away at random (0.2 = ±20%).
    public var jitter: Double

    public init(initial: Double, cap: Double, jitter: Double = 0.2) {
        self.initial = initial
        self.cap = cap
        self.jitter = jitter
    }

    /// The wait before the next attempt, after `attempt` attempts (1 = after the first).
    public func delay(afterAttempt attempt: Int, random: Double = Double.random(in: -1...1)) -> Duration {
        .seconds(seconds(afterAttempt: attempt, random: random))
    }

    /// The same in seconds; `random` in -1…1 picks the point in the jitter band.
    public func seconds(afterAttempt attempt: Int, random: Double = Double.random(in: -1...1)) -> Double {
        let exponent = Double(max(0, min(attempt - 1, 62)))
        let base = min(cap, initial * pow2(exponent))
        return max(0, base * (1 + jitter * max(-1, min(1, random))))
    }

    private func pow2(_ exponent: Double) -> Double {
        var value = 1.0
        for _ in 0..<Int(exponent) {
            value *= 2
            if value > 1e12 { break }
        }
        return value
    }
}
