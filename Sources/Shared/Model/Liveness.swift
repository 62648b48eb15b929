/// Whether a node is up, from its last hello: up within 2× its hello interval, stale within 6×, down beyond
/// or after a `bye`.
public enum Liveness: String, Sendable, Codable, CaseIterable {
    case up, stale, down

    public init(lastSeen: Timestamp?, helloInterval: Double?, saidBye: Bool, now: Timestamp) {
        guard let lastSeen, !saidBye else {
            self = .down
            return
        }
        let interval = helloInterval ?? LivenessDefaults.helloInterval
        let age = now.seconds(since: lastSeen)
        if age <= LivenessDefaults.upFactor * interval {
            self = .up
        } else if age <= LivenessDefaults.staleFactor * interval {
            self = .stale
        } else {
            self = .down
        }
    }

    /// Sort order for screens: down first, then stale, then up.
    public var severity: Int {
        switch self {
        case .down: return 0
        case .stale: return 1
        case .up: return 2
        }
    }
}
