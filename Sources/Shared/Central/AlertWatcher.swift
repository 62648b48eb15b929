import Logging

/// Checks the fleet against the alert rules every `checkInterval`, and prunes the metrics store on its schedule.
///
/// A rule crossed adds one `alert` entry to the central error log; the same rule no longer crossed adds one
/// more, `cleared: …`. What is in force is kept in the metrics store, so a restart repeats nothing.
public struct AlertWatcher: Sendable {
    public var rules: AlertRules
    let store: Store
    let metrics: MetricsStore
    let errors: ErrorReporter

    public init(rules: AlertRules, store: Store, metrics: MetricsStore, errors: ErrorReporter) {
        self.rules = rules
        self.store = store
        self.metrics = metrics
        self.errors = errors
    }

    public func run<C: Clock>(clock: C, logger: Logger) async throws where C.Duration == Duration {
        while !Task.isCancelled {
            do {
                try check(now: .now)
                try metrics.pruneIfDue(now: .now)
            } catch {
                logger.error("cannot check the alerts: \(error)")
            }
            try await clock.sleep(for: .seconds(rules.checkInterval))
        }
    }

    /// Raises and clears alerts as the nodes stand at `now`; returns the entries written to the error log.
    @discardableResult
    public func check(now: Timestamp) throws -> [ErrorRecord] {
        let active = try metrics.activeAlerts()
        let seen = Dictionary(try store.nodes().map { ($0.name, $0.lastSeen) }) { first, _ in first }
        var records: [ErrorRecord] = []
        let all = try metrics.latestOfAllNodes()
        for node in Set(seen.keys).union(all.keys).union(active.keys).sorted() {
            let latest = all[node]
            let crossed = rules.crossed(lastSeen: seen[node] ?? nil, latest: latest, now: now)
            let inForce = active[node] ?? [:]
            for (rule, text) in crossed.sorted(by: { $0.key < $1.key }) where inForce[rule] == nil {
                try metrics.raiseAlert(node: node, rule: rule, since: now)
                records.append(ErrorRecord(time: now, node: node, kind: .alert, error: "node \(node): \(text)"))
            }
            for (rule, since) in inForce.sorted(by: { $0.key < $1.key })
            where crossed[rule] == nil && !AlertRules.undecided(rule, latest: latest) {
                try metrics.clearAlert(node: node, rule: rule)
                let lasted = Int(now.seconds(since: since))
                records.append(ErrorRecord(
                    time: now, node: node, kind: .alert,
                    error: "cleared: node \(node): \(rule == "down" ? "heard from again" : "\(rule) back under its threshold") after \(lasted) s"))
            }
        }
        for record in records { errors.report(record) }
        return records
    }
}
