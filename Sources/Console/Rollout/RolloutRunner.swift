import Shared

/// Carries a rollout while `send` waits: the canary first, which must succeed; then each batch once the one before
/// has settled (every message final, or waiting for a node that is away: such a node is kept in the rollout and
/// runs when it returns, within the message's ttl); `--batch-wait` between them. Past the failure bound the rollout
/// halts, and the batches not begun are not sent. An operator can pause it (no further batch begins), resume it, or
/// abort it (it ends at once; the batches not begun are not sent).
struct RolloutRunner: Sendable {
    var plan: RolloutPlan
    /// Each node's message, accepted when its stage begins.
    var drafts: [String: Message]
    var batchWait: Double
    var deadline: ContinuousClock.Instant?

    struct Result: Sendable {
        var ending: SendWait.Ending
        var records: [OutboxRecord]
        /// The nodes of the stages never begun.
        var notSent: [String]
        /// One line per stage begun, and why the rollout halted if it did.
        var status: [String]
        /// Why the rollout halted; nil when it did not.
        var halted: String?
        /// An operator aborted it.
        var aborted = false
    }

    /// How often the operator's requests are read.
    static let controlInterval = Duration.milliseconds(200)

    func run(
        events: Mailbox<SendWait.Event>, accept: ([Message]) throws -> Void, progress: ([OutboxRecord]) -> Void,
        control: () -> RolloutRequest? = { nil },
        changed: (_ begun: Int, _ halted: String?, _ paused: Bool) -> Void = { _, _, _ in }
    ) async -> Result {
        var latest = FollowedRecords()
        var stage = 0
        var failures = 0
        var halted: String?
        var settledAt: ContinuousClock.Instant?
        var begun: [String] = []
        var lastTick = ContinuousClock.now
        var paused = false
        var lastControl = ContinuousClock.now - Self.controlInterval
        func result(_ ending: SendWait.Ending, aborted: Bool = false) -> Result {
            let records = begun.compactMap { drafts[$0]?.id }.compactMap { latest[$0] }
            let notSent = plan.stages.dropFirst(stage + 1).flatMap(\.nodes)
            return Result(
                ending: ending, records: records, notSent: notSent,
                status: status(through: stage, latest: latest.latest, halted: halted), halted: halted, aborted: aborted)
        }
        do {
            begun = try begin(0, accept: accept)
        } catch {
            halted = "cannot accept its messages: \(error)"
            return result(.settled)
        }
        while true {
            switch await events.receive(timeout: .milliseconds(200)) {
            case .record(let record):
                latest.take(record)
            case .changed(let change):
                latest.take(change)
            case .interrupted:
                return result(.interrupted)
            case nil:
                if Task.isCancelled { return result(.interrupted) }
            }
            if let deadline, ContinuousClock.now >= deadline { return result(.timedOut) }
            if ContinuousClock.now - lastControl >= Self.controlInterval {
                lastControl = ContinuousClock.now
                let request = control()
                if request == .abort, halted == nil {
                    halted = "aborted by the operator"
                    changed(stage + 1, halted, false)
                    return result(.settled, aborted: true)
                }
                if (request == .pause) != paused {
                    paused = request == .pause
                    changed(stage + 1, halted, paused)
                }
            }
            let current = plan.stages[stage]
            let records = current.nodes.map { node in drafts[node].flatMap { $0.id }.flatMap { latest[$0] } }
            let stageSettled = records.allSatisfy { record in
                guard let record else { return false }
                return record.state.isFinal || (!current.isCanary && Outbox.isWaitingForNode(record))
            }
            if halted == nil, settledAt == nil, stageSettled {
                settledAt = ContinuousClock.now
                let failed = records.compactMap { $0 }.filter {
                    $0.state.isFinal && NodeOutcome(node: "", id: $0.id, record: $0).kind != .ok
                }
                failures += failed.count
                if current.isCanary, !failed.isEmpty {
                    halted = "the canary failed"
                } else if failures > plan.maxFailures {
                    halted = "\(failures) failed, more than --max-failures \(plan.maxFailures)"
                }
                if let halted { changed(stage + 1, halted, false) }
            }
            if let settled = settledAt, halted == nil, !paused, stage + 1 < plan.stages.count,
                ContinuousClock.now - settled >= .seconds(batchWait)
            {
                stage += 1
                settledAt = nil
                do {
                    begun += try begin(stage, accept: accept)
                    changed(stage + 1, nil, false)
                } catch {
                    halted = "cannot accept its messages: \(error)"
                    return result(.settled)
                }
            }
            let all = begun.compactMap { drafts[$0]?.id }.compactMap { latest[$0] }
            let finished = settledAt != nil && (halted != nil || stage + 1 == plan.stages.count)
            if finished, all.count == begun.count, all.allSatisfy(\.state.isFinal) { return result(.settled) }
            if ContinuousClock.now - lastTick >= .seconds(1) {
                lastTick = ContinuousClock.now
                progress(all)
            }
        }
    }

    /// Accepts the messages of stage `index`; returns its nodes.
    private func begin(_ index: Int, accept: ([Message]) throws -> Void) throws -> [String] {
        let nodes = plan.stages[index].nodes
        try accept(nodes.compactMap { drafts[$0] })
        return nodes
    }

    /// `canary pi-1: 1 ok`, `batch 1 of 2 pi-[2-3]: 1 ok · 1 waiting (kept: runs when it returns)`, and the halt.
    private func status(through stage: Int, latest: [String: OutboxRecord], halted: String?) -> [String] {
        var lines: [String] = []
        for index in 0...stage {
            let nodes = plan.stages[index].nodes
            let outcomes = nodes.map { node in
                NodeOutcome(node: node, id: drafts[node]?.id ?? "", record: drafts[node]?.id.flatMap { latest[$0] })
            }
            let counts = Dictionary(grouping: outcomes, by: \.kind).mapValues(\.count)
            var parts = NodeOutcome.Kind.allCases.compactMap { kind in counts[kind].map { "\($0) \(kind.rawValue)" } }
            if outcomes.contains(where: \.away) { parts.append("away nodes kept: they run when they return") }
            lines.append(
                "rollout: \(plan.name(of: index)) \(NodeList.compact(nodes)): " + parts.joined(separator: " · "))
        }
        if let halted {
            let rest = plan.stages.dropFirst(stage + 1).flatMap(\.nodes)
            lines.append(
                "rollout halted after \(plan.name(of: stage)): \(halted)"
                    + (rest.isEmpty ? "" : "; not sent: \(NodeList.compact(rest))"))
        }
        return lines
    }
}
