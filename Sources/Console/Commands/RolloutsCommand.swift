import ArgumentParser
import Foundation
import Shared

/// `bosun rollouts`: the rollouts `bosun send` carried, newest first, with their outcomes so far.
struct RolloutsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollouts", abstract: "List rollouts, newest first: state, batches begun, outcomes so far.",
        discussion: """
            States: running (bosun send carries it), completed, halted (past --max-failures, or a failed canary:
            the batches not begun were not sent), stopped (send stopped waiting: --timeout or Ctrl-C; the batches
            not begun were not sent, the messages sent go on). Outcomes are read from the outbox, so a node that
            was away counts once it has answered.
            """)

    @OptionGroup var options: DataDirectoryOption
    @Flag(help: "One JSON object per rollout (see README).") var json = false

    func run() throws {
        let store = try? options.openStore()
        for rollout in RolloutRecord.all(dataDirectory: options.path) {
            var counts: [NodeOutcome.Kind: Int] = [:]
            var waiting: [String] = []
            for stage in rollout.stages.prefix(rollout.begun) {
                for (node, id) in zip(stage.nodes, stage.ids) {
                    let outcome = NodeOutcome(node: node, id: id, record: (try? store?.outboxRecord(id: id)) ?? nil)
                    counts[outcome.kind, default: 0] += 1
                    if outcome.kind == .waiting { waiting.append(node) }
                }
            }
            let notSent = rollout.stages.dropFirst(rollout.begun).flatMap(\.nodes)
            let stage =
                rollout.stages.isEmpty ? "" : rollout.stages[max(0, min(rollout.begun, rollout.stages.count) - 1)].name
            if json {
                let row = Row(
                    operation: rollout.operation, createdAt: rollout.createdAt, updatedAt: rollout.updatedAt,
                    state: rollout.state.rawValue, reason: rollout.reason, target: rollout.target,
                    method: rollout.method, methodArgs: rollout.methodArgs, stage: stage,
                    stagesBegun: rollout.begun, stages: rollout.stages.count, ok: counts[.ok] ?? 0,
                    failed: counts[.failed] ?? 0, rejected: counts[.rejected] ?? 0, expired: counts[.expired] ?? 0,
                    waiting: waiting, notSent: notSent)
                print(String(decoding: try JSONLines.encoder.encode(row), as: UTF8.self))
            } else {
                var parts = [NodeOutcome.Kind.ok, .failed, .rejected, .expired].compactMap { kind in
                    counts[kind].map { "\($0) \(kind.rawValue)" }
                }
                if !waiting.isEmpty { parts.append("\(waiting.count) waiting (\(NodeList.compact(waiting)))") }
                if !notSent.isEmpty { parts.append("\(notSent.count) not sent") }
                let command = ([rollout.method] + rollout.methodArgs).joined(separator: " ")
                print(
                    [
                        rollout.operation, rollout.state.rawValue,
                        "\(stage) (\(rollout.begun) of \(rollout.stages.count))",
                        parts.joined(separator: " · "), "\(rollout.target) \(command)", rollout.reason ?? "",
                    ]
                    .joined(separator: "\t"))
            }
        }
    }

    struct Row: Encodable {
        var operation: String
        var createdAt: Timestamp
        var updatedAt: Timestamp
        var state: String
        var reason: String?
        var target: String
        var method: String
        var methodArgs: [String]
        /// The last stage begun: `canary`, `batch 2 of 3`.
        var stage: String
        var stagesBegun: Int
        var stages: Int
        var ok: Int
        var failed: Int
        var rejected: Int
        var expired: Int
        /// Nodes whose message is not final yet.
        var waiting: [String]
        var notSent: [String]
    }
}
