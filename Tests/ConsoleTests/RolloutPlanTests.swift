import Testing

@testable import Console

@Suite struct RolloutPlanTests {
    static let nodes = (1...10).map { "pi-\($0)" }

    @Test func theCanaryComesFirstThenBatchesOfACountOrAShare() {
        let plan = RolloutPlan(targets: Self.nodes, canary: 1, batch: .count(4), maxFailures: .count(1))
        #expect(
            plan.stages.map(\.nodes) == [
                ["pi-1"], ["pi-2", "pi-3", "pi-4", "pi-5"], ["pi-6", "pi-7", "pi-8", "pi-9"], ["pi-10"],
            ])
        #expect(plan.stages.map(\.isCanary) == [true, false, false, false])
        #expect([plan.name(of: 0), plan.name(of: 1), plan.name(of: 3)] == ["canary", "batch 1 of 3", "batch 3 of 3"])
        let shares = RolloutPlan(targets: Self.nodes, canary: 0, batch: .percent(25), maxFailures: .percent(10))
        #expect(shares.stages.map(\.nodes.count) == [3, 3, 3, 1])
        #expect(shares.maxFailures == 1)
        #expect(shares.name(of: 0) == "batch 1 of 4")
    }

    @Test func aCanaryAloneSendsTheRestInOneBatch() {
        let plan = RolloutPlan(targets: Self.nodes, canary: 2, batch: nil, maxFailures: .count(0))
        #expect(plan.stages.map(\.nodes.count) == [2, 8])
    }

    @Test(arguments: [("5", RolloutSize.count(5)), ("25%", .percent(25)), ("0", .count(0))])
    func sizesAreACountOrAShare(_ text: String, _ size: RolloutSize) throws {
        #expect(try RolloutSize(text, option: "--batch") == size)
    }

    @Test(arguments: ["", "-1", "0%", "120%", "five"])
    func aBadSizeNamesTheOption(_ text: String) {
        #expect(throws: TargetError("--batch \(text): give a number of nodes (5) or a share of them (25%)")) {
            try RolloutSize(text, option: "--batch")
        }
    }
}
