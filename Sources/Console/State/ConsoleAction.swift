/// What the console asks the outside to do; ``reduce(_:_:)`` returns these, the app hands them on.
public enum ConsoleAction: Equatable, Sendable {
    /// Send `text` (`method args…`, split it with ``CommandLineWords/split(_:)``) to each node, one tracked
    /// message per node. `*` has already been expanded to the known nodes.
    case send(text: String, toNodes: [String])
    /// Retry the message with this id now.
    case retry(String)
    /// Cancel the message with this id.
    case cancel(String)
    /// Send a copy of the message with this id, under a new id.
    case replay(String)
    /// Put this text on the clipboard (OSC 52).
    case copy(String)
    /// Follow this node's forwarded logs (``ConsoleEvent/logLines(node:lines:reset:)``), every node's with `*`,
    /// one log with `name`; nil stops following.
    case followLogs(String?, name: String? = nil)
    /// Ask the rollout `operation` to pause, resume or abort (``RolloutControl``).
    case controlRollout(operation: String, RolloutRequest)
    /// Approve the pending node's key (`bosun nodes approve`).
    case approveNode(String)
    /// Leave the console.
    case quit
}
