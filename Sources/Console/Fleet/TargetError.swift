/// Why a target (`--to`, the compose bar's first word, a group in groups.json) names no nodes.
struct TargetError: Error, Sendable, Equatable, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
