/// Why a target (`--to`, the compose bar's first word, a group in groups.json) names no nodes.
public struct TargetError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
