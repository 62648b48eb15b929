/// What a cell's colour means; the terminal maps roles to colour pairs, or to nothing under NO_COLOR.
public enum ColorRole: Int, CaseIterable, Sendable, Hashable {
    case normal, up, stale, down, acked, failed, sending, dim, header
}

/// How a cell is drawn: a colour role plus attributes that carry the meaning without colour.
public struct Style: Hashable, Sendable {
    public var role: ColorRole
    public var bold: Bool
    public var dim: Bool
    public var reverse: Bool

    public init(_ role: ColorRole = .normal, bold: Bool = false, dim: Bool = false, reverse: Bool = false) {
        self.role = role
        self.bold = bold
        self.dim = dim
        self.reverse = reverse
    }

    public static let plain = Style()
    public static let header = Style(.header, bold: true)
    public static let faint = Style(.dim, dim: true)

    func with(reverse: Bool) -> Style {
        var copy = self
        copy.reverse = reverse
        return copy
    }

    func with(bold: Bool) -> Style {
        var copy = self
        copy.bold = bold
        return copy
    }
}
