import ArgumentParser
import Foundation
import Shared

extension SendCommand {
    /// Sends as a rollout: canary, batches, failure bound; then the summary, with the rollout's status first. Its
    /// record in `<data-dir>/rollouts/` follows it for `bosun rollouts`.
    func runRollout(targets: [String], drafts: [Message], carrier: SendCarrier, started: ContinuousClock.Instant)
        async throws
    {
        let directory = CentralNode.dataDirectory(node)
        let ids = drafts.compactMap(\.id)
        let operation = try record(targets: targets, ids: ids, dataDirectory: directory)
        let sizes = try rollout.sizes()
        let plan = RolloutPlan(
            targets: targets, canary: rollout.canary, batch: sizes.batch, maxFailures: sizes.maxFailures)
        let idOf = Dictionary(zip(targets, ids)) { $1 }
        let now = Timestamp.now
        var log = RolloutRecord(
            operation: operation, createdAt: now, updatedAt: now, target: to, method: method, methodArgs: arguments,
            maxFailures: plan.maxFailures,
            stages: plan.stages.indices.map {
                .init(
                    name: plan.name(of: $0), nodes: plan.stages[$0].nodes,
                    ids: plan.stages[$0].nodes.compactMap { idOf[$0] })
            },
            begun: 1, state: .running)
        try log.save(dataDirectory: directory)
        let runner = RolloutRunner(
            plan: plan, drafts: Dictionary(zip(targets, drafts)) { $1 }, batchWait: rollout.batchWait,
            deadline: waiting.timeout.map { started + .seconds($0) })
        let result = try await carrier.wait(ids: ids) { [log] events in
            let progress = WaitProgress()
            defer { progress.clear() }
            var live = log
            return await runner.run(
                events: events, accept: { _ = try carrier.accept($0) },
                progress: { progress.update($0, lastSeen: carrier.lastSeen) },
                control: { RolloutControl.latest(operation, dataDirectory: directory) },
                changed: { begun, halted, paused in
                    (live.begun, live.reason, live.updatedAt) = (begun, halted, .now)
                    live.state = halted != nil ? .halted : paused ? .paused : .running
                    try? live.save(dataDirectory: directory)
                })
        }
        RolloutControl.clear(operation, dataDirectory: directory)
        let unsent = Set(result.notSent)
        log.begun = plan.stages.filter { !$0.nodes.allSatisfy(unsent.contains) }.count
        log.state =
            result.aborted ? .aborted : result.halted != nil ? .halted : result.ending == .settled ? .completed : .stopped
        log.reason =
            result.halted ?? (result.ending == .settled ? nil : "bosun send stopped waiting (\(result.ending))")
        log.updatedAt = .now
        try? log.save(dataDirectory: directory)
        for line in result.status {
            if json { FileHandle.standardError.write(line + "\n") } else { print(line) }
        }
        let byID = Dictionary(result.records.map { ($0.id, $0) }) { $1 }
        let notSent = Set(result.notSent)
        let outcomes = zip(targets, ids).map {
            notSent.contains($0) ? NodeOutcome(notSent: $0) : NodeOutcome(node: $0, id: $1, record: byID[$1])
        }
        if outcomes.contains(where: { $0.kind == .waiting }) {
            SendReport(
                ending: result.ending, timeout: waiting.timeout, dataDirectory: directory,
                engineStaysRunning: carrier.engineStaysRunning
            ).stillQueuedNotice()
        }
        try FanOutReport(operation: operation, outcomes: outcomes, ending: result.ending).print(json: json)
    }
}
