import Shared
import Testing

@testable import Console

/// The console's Rollouts view (`R`): progress of each rollout, and pause, resume, abort, each confirmed with y.
@Suite struct RolloutsViewTests {
    static func rollout(_ operation: String, _ state: RolloutRecord.State, begun: Int = 2) -> RolloutRecord {
        RolloutRecord(
            operation: operation, createdAt: Fixtures.now, updatedAt: Fixtures.now, target: "pi-*", method: "cliCommand",
            methodArgs: ["uptime"], maxFailures: 1,
            stages: [
                .init(name: "canary", nodes: ["pi-garage"], ids: ["019ab3c0-0000-7000-8000-0000007f3a2c"]),
                .init(name: "batch 1 of 2", nodes: ["pi-barn"], ids: ["019ab3c0-0000-7000-8000-0000007f3a1e"]),
                .init(name: "batch 2 of 2", nodes: ["pi-shed"], ids: ["never-sent"]),
            ],
            begun: begun, state: state, reason: state == .halted ? "the canary failed" : nil)
    }

    static func state() -> ConsoleState {
        var state = Fixtures.state()
        let byID = Dictionary(Fixtures.messages.map { ($0.id, $0) }) { $1 }
        let rollouts = [rollout("019ab3c0-0000-7000-8000-00000000aaaa", .running), rollout("019ab3c0-0000-7000-8000-00000000bbbb", .halted)]
        _ = reduce(&state, .rollouts(rollouts.map { RolloutSummary($0) { byID[$0] } }))
        Fixtures.press(&state, .char("R"))
        return state
    }

    @Test func theViewShowsEachRolloutsStageAndOutcomesSoFar() throws {
        let text = render(Self.state(), cols: 120, rows: 40).text
        let row = try #require(text.split(separator: "\n").first { $0.contains("00aaaa") })
        #expect(row.contains("running"), "\(row)")
        #expect(row.contains("batch 1 of 2 (2/3)"), "\(row)")
        #expect(row.contains("1 ok · 1 waiting (pi-barn) · 1 not sent"), "\(row)")
    }

    @Test func pauseAsksForYThenAsksTheRollout() {
        var state = Self.state()
        #expect(Fixtures.press(&state, .char("P")).isEmpty)
        #expect(render(state, cols: 120, rows: 40).text.contains("Pause rollout 00aaaa? y/n"))
        let actions = Fixtures.press(&state, .char("y"))
        #expect(actions == [.controlRollout(operation: "019ab3c0-0000-7000-8000-00000000aaaa", .pause)])
        #expect(state.mode == .rollouts(RolloutsView()))
    }

    @Test func anyOtherKeyThanYDropsTheRequest() {
        var state = Self.state()
        Fixtures.press(&state, .char("X"))
        #expect(Fixtures.press(&state, .char("n")).isEmpty)
        #expect(state.flash?.text == "abort cancelled")
    }

    @Test func aRolloutThatEndedCannotBeAbortedAndTheFlashSaysWhy() {
        var state = Self.state()
        Fixtures.press(&state, .char("j"), .char("X"))
        #expect(state.mode == .rollouts(RolloutsView(selected: 1)))
        #expect(state.flash?.text == "rollout 00bbbb is halted; cannot abort it")
        #expect(state.flash?.isError == true)
    }

    @Test func resumeFitsOnlyAPausedRollout() {
        var state = Self.state()
        Fixtures.press(&state, .char("u"))
        #expect(state.flash?.text == "rollout 00aaaa is running; cannot resume it")
    }
}
