import ArgumentParser

/// `bosun send`'s rollout: a canary, then batches, halted past a failure bound.
struct RolloutOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp("Send to this many nodes first; the rest only when all of them succeeded.", valueName: "n"))
    var canary: Int = 0

    @Option(
        help: ArgumentHelp(
            "Then send in batches of this many nodes (5) or this share of them (25%).", valueName: "n|p%"))
    var batch: String?

    @Option(
        help: ArgumentHelp(
            "Halt once more nodes than this (5, or 10% of them) failed; the batches not begun are not sent. Default: 0.",
            valueName: "n|p%"))
    var maxFailures: String?

    @Option(
        help: ArgumentHelp(
            "Seconds between a batch settling and the next one starting.", valueName: "seconds"))
    var batchWait: Double = 0

    /// Whether a rollout was asked for.
    var isOn: Bool { canary > 0 || batch != nil }

    func validate() throws {
        guard canary >= 0 else { throw ValidationError("--canary: give a number of nodes, 0 or more") }
        guard batchWait >= 0 else { throw ValidationError("--batch-wait: give a number of seconds, 0 or more") }
        _ = try sizes()
        if !isOn, maxFailures != nil || batchWait > 0 {
            throw ValidationError("--max-failures and --batch-wait belong to a rollout: give --canary or --batch too")
        }
    }

    /// --batch and --max-failures parsed.
    func sizes() throws -> (batch: RolloutSize?, maxFailures: RolloutSize) {
        do {
            return (
                try batch.map { try RolloutSize($0, option: "--batch") },
                try RolloutSize(maxFailures ?? "0", option: "--max-failures")
            )
        } catch let error as TargetError {
            throw ValidationError(error.description)
        }
    }
}
