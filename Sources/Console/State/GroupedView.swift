/// Where the operator is in a fan-out's grouped view: which group of identical outcomes, and which of its nodes.
public struct GroupedView: Equatable, Sendable {
    /// The fan-out's lead message.
    public var lead: String
    /// The selected group, in the order shown (most common output first, waiting nodes last).
    public var group = 0
    /// The node of the group that Tab has reached.
    public var node = 0

    public init(lead: String) { self.lead = lead }
}
