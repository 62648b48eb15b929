/// The three panes of the main screen, numbered as the keys `1`, `2`, `3` select them.
public enum Pane: Int, CaseIterable, Sendable, Hashable {
    case nodes = 0, messages = 1, detail = 2

    public var next: Pane { Pane(rawValue: (rawValue + 1) % 3)! }
    public var previous: Pane { Pane(rawValue: (rawValue + 2) % 3)! }

    public var title: String {
        switch self {
        case .nodes: return "Nodes"
        case .messages: return "Messages"
        case .detail: return "Detail"
        }
    }
}
