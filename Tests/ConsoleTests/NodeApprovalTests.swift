import Shared
import Testing

@testable import Console

/// A node asking to join shows as pending; `A` on it asks, and y approves it.
@Suite struct NodeApprovalTests {
    private func state(with newcomer: NodeRecord) -> ConsoleState {
        var state = Fixtures.state()
        _ = reduce(&state, .snapshot(nodes: Fixtures.nodes + [newcomer], messages: Fixtures.messages, errors: []))
        state.selectedNode = newcomer.name
        return state
    }

    private func node(_ keyState: Store.KeyState?, insecure: Bool = false) -> NodeRecord {
        var record = Fixtures.node("pi-new", seenAgo: 1)
        record.publicKey = NodeKey().publicKey
        record.keyState = keyState
        record.insecure = insecure
        return record
    }

    @Test func aPendingNodeIsApprovedAfterAYes() {
        var state = state(with: node(.pending))
        #expect(Glyphs(ascii: false).trust(state.nodes.first { $0.name == "pi-new" }!)?.text == "◌ pending")
        #expect(Fixtures.press(&state, .char("A")).isEmpty)
        #expect(state.mode == .confirmApproval(node: "pi-new"))
        #expect(Fixtures.press(&state, .char("y")) == [.approveNode("pi-new")])
        #expect(state.mode == .normal)
    }

    @Test func anyOtherKeyLeavesItPending() {
        var state = state(with: node(.pending))
        Fixtures.press(&state, .char("A"))
        #expect(Fixtures.press(&state, .char("n")).isEmpty)
        #expect(state.mode == .normal)
        #expect(state.flash?.text.contains("not approved; it stays pending") == true)
    }

    @Test func anApprovedNodeIsNotAskedAboutAndAnInsecureOneIsFlagged() {
        var state = state(with: node(.approved, insecure: true))
        Fixtures.press(&state, .char("A"))
        #expect(state.mode == .normal)
        #expect(state.flash?.text.contains("pi-new is approved; only a pending node is approved") == true)
        #expect(Glyphs(ascii: false).trust(state.nodes.first { $0.name == "pi-new" }!)?.text == "! INSECURE")
        #expect(Glyphs(ascii: false).trust(Fixtures.nodes[0]) == nil)
    }
}
