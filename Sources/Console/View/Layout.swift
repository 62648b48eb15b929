/// A rectangle of cells.
public struct Rect: Equatable, Sendable {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int
}

/// Where the panes go for a terminal size: side by side at 80×24 and up, one at a time below, nothing
/// below 40×10.
public enum Layout: Equatable, Sendable {
    case tooSmall
    /// Nodes and Messages side by side over Detail; `wide` keeps the VERSION and TRY columns (100 columns up).
    case panes(nodes: Rect, messages: Rect, detail: Rect, wide: Bool)
    /// One pane at a time in `area`.
    case single(area: Rect)

    public static let minimum = (cols: 40, rows: 10)
    public static let split = (cols: 80, rows: 24)
    public static let wide = 100

    public init(cols: Int, rows: Int) {
        guard cols >= Self.minimum.cols, rows >= Self.minimum.rows else {
            self = .tooSmall
            return
        }
        let middle = Self.middle(cols: cols, rows: rows)
        guard cols >= Self.split.cols, rows >= Self.split.rows else {
            self = .single(area: middle)
            return
        }
        let detailHeight = max(5, middle.height * 2 / 5)
        let topHeight = middle.height - detailHeight
        let nodesWidth = cols * 9 / 20
        self = .panes(
            nodes: Rect(x: 0, y: middle.y, width: nodesWidth, height: topHeight),
            messages: Rect(x: nodesWidth, y: middle.y, width: cols - nodesWidth, height: topHeight),
            detail: Rect(x: 0, y: middle.y + topHeight, width: cols, height: detailHeight),
            wide: cols >= Self.wide)
    }

    /// The rows between the header and the three bottom lines (compose, flash, hints).
    public static func middle(cols: Int, rows: Int) -> Rect {
        Rect(x: 0, y: 1, width: cols, height: max(0, rows - 4))
    }
}
