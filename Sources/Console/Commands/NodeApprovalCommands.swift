import ArgumentParser
import Shared

/// `bosun nodes approve NAME` and `bosun nodes reject NAME`: the operator's answer to a node asking to join.
extension NodesCommand {
    struct Approve: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Let a pending node in: pin the key it announced, and take its messages from now on.",
            discussion: """
                Compare the fingerprint `bosun nodes` shows with the one the node's own log printed at its start \
                (`bosun-agent` logs "signing key … (SHA256:…)"). What the node sent meanwhile waits in its own \
                outbox and arrives once it is approved.
                """)

        @OptionGroup var options: DataDirectoryOption
        @Argument(help: "The node to approve.") var node: String

        func run() throws {
            let record = try decide(node, .approved, options: options)
            print("approved \(node) (key \(NodeKey.fingerprint(of: record.publicKey) ?? record.publicKey))")
        }
    }

    struct Reject: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Keep a node out for good: its hellos and messages are refused (`bosun keys forget` undoes it).")

        @OptionGroup var options: DataDirectoryOption
        @Argument(help: "The node to reject.") var node: String

        func run() throws {
            _ = try decide(node, .rejected, options: options)
            print("rejected \(node)")
        }
    }
}

/// Records the operator's decision on `node`; a node with no key on record cannot be approved.
private func decide(_ node: String, _ state: Store.KeyState, options: DataDirectoryOption) throws -> Store.KeyRecord {
    guard NodeName.isValid(node) else {
        throw ValidationError("\"\(node)\" is not a valid node name (letters, digits, - and _ only)")
    }
    let store = try options.openStore()
    if state == .approved {
        guard let known = try store.keyRecord(node: node), !known.publicKey.isEmpty else {
            throw ValidationError("node \(node) has not asked to join (no signed hello from it yet): start its agent first")
        }
    }
    guard let record = try store.decide(node: node, state, at: .now) else {
        throw ValidationError("node \(node) has no key on record")
    }
    return record
}
