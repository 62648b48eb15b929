/// The stages of a rollout: the canary first, then batches in turn, each node in exactly one stage.
struct RolloutPlan: Sendable, Equatable {
    struct Stage: Sendable, Equatable {
        var isCanary: Bool
        var nodes: [String]
    }

    var stages: [Stage]
    /// How many failed nodes the rollout bears; one more halts it.
    var maxFailures: Int

    /// `targets` in order: the first `canary` of them, then batches of `batch` (all the rest when nil).
    init(targets: [String], canary: Int, batch: RolloutSize?, maxFailures: RolloutSize) {
        var rest = targets[...]
        stages = []
        if canary > 0 {
            stages.append(Stage(isCanary: true, nodes: Array(rest.prefix(canary))))
            rest = rest.dropFirst(canary)
        }
        let size = max(1, batch?.nodes(of: targets.count) ?? rest.count)
        while !rest.isEmpty {
            stages.append(Stage(isCanary: false, nodes: Array(rest.prefix(size))))
            rest = rest.dropFirst(size)
        }
        self.maxFailures = maxFailures.nodes(of: targets.count)
    }

    /// `canary` or `batch 2 of 3`.
    func name(of index: Int) -> String {
        if stages[index].isCanary { return "canary" }
        let batches = stages.filter { !$0.isCanary }.count
        let number = index + (stages.first?.isCanary == true ? 0 : 1)
        return "batch \(number) of \(batches)"
    }
}
