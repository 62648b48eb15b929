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
            not begun were not sent, the messages sent go on), paused, aborted. Outcomes are read from the outbox,
            so a node that was away counts once it has answered.

            bosun rollouts pause|resume|abort OPERATION asks the bosun send that carries a running rollout:
            pause begins no further batch until resume; abort ends the rollout, and the batches not begun are
            not sent. Either way the messages already sent go on (bosun cancel OPERATION withdraws them).
            Exit 1 when no such rollout is running or paused.
            """)

    @OptionGroup var options: DataDirectoryOption
    @Flag(help: "One JSON object per rollout (see README).") var json = false
    @Argument(help: ArgumentHelp("pause, resume or abort a running rollout (see below); none lists them.", valueName: "request"))
    var request: RolloutRequest?
    @Argument(help: ArgumentHelp("The rollout's operation id (or its first characters).", valueName: "operation"))
    var operation: String?

    func validate() throws {
        if request != nil, operation == nil { throw ValidationError("give the rollout's operation id after \(request!.rawValue)") }
    }

    func run() throws {
        if let request, let operation {
            do {
                print(try RolloutControl.ask(request, operation: operation, dataDirectory: options.path))
            } catch {
                FileHandle.standardError.write("bosun: \(error)\n")
                throw ExitCode(1)
            }
            return
        }
        let store = try? options.openStore()
        for rollout in RolloutRecord.all(dataDirectory: options.path) {
            let summary = RolloutSummary(rollout) { id in (try? store?.outboxRecord(id: id)) ?? nil }
            if json {
                let row = Row(
                    operation: rollout.operation, createdAt: rollout.createdAt, updatedAt: rollout.updatedAt,
                    state: summary.state, reason: rollout.reason, target: rollout.target,
                    method: rollout.method, methodArgs: rollout.methodArgs, stage: summary.stage,
                    stagesBegun: rollout.begun, stages: rollout.stages.count, ok: summary.count(.ok),
                    failed: summary.count(.failed), rejected: summary.count(.rejected),
                    expired: summary.count(.expired), waiting: summary.waiting, notSent: summary.notSent)
                print(String(decoding: try JSONLines.encoder.encode(row), as: UTF8.self))
            } else {
                print(
                    [
                        rollout.operation, summary.state, "\(summary.stage) (\(rollout.begun) of \(rollout.stages.count))",
                        summary.outcomeText, "\(rollout.target) \(summary.command)", rollout.reason ?? "",
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

extension RolloutRequest: ExpressibleByArgument {}
