/// One terminal cell: a character and its style. A two-cell character is followed by a continuation cell.
public struct Cell: Equatable, Sendable {
    public var character: Character
    /// 1, 2 for the first half of a wide character, 0 for its second half.
    public var width: Int
    public var style: Style

    public static let blank = Cell(character: " ", width: 1, style: .plain)
}

/// A screenful of cells: what ``render(_:cols:rows:)`` makes and the terminal draws.
public struct Frame: Equatable, Sendable {
    public let cols: Int
    public let rows: Int
    public private(set) var cells: [Cell]

    public init(cols: Int, rows: Int) {
        self.cols = max(0, cols)
        self.rows = max(0, rows)
        cells = Array(repeating: .blank, count: self.cols * self.rows)
    }

    public subscript(x: Int, y: Int) -> Cell { cells[y * cols + x] }

    /// One row of cells.
    public func row(_ y: Int) -> ArraySlice<Cell> { cells[(y * cols)..<((y + 1) * cols)] }

    /// Writes `text` at (x, y), clipped to the frame and to `limit` cells; returns the cells written.
    /// A wide character that does not fit is left out.
    @discardableResult
    public mutating func put(_ text: String, x: Int, y: Int, style: Style = .plain, limit: Int? = nil) -> Int {
        guard y >= 0, y < rows, x < cols else { return 0 }
        let end = min(cols, limit.map { x + $0 } ?? cols)
        var column = x
        for character in text {
            let width = DisplayWidth.of(character)
            if width == 0 { continue }
            if column + width > end { break }
            if column >= 0 { set(character, width: width, x: column, y: y, style: style) }
            column += width
        }
        return max(0, column - x)
    }

    /// Gives every cell of a run the style, keeping the characters.
    public mutating func restyle(x: Int, y: Int, width: Int, _ change: (inout Style) -> Void) {
        guard y >= 0, y < rows else { return }
        for column in max(0, x)..<max(max(0, x), min(cols, x + width)) { change(&cells[y * cols + column].style) }
    }

    /// Fills a run with spaces in a style.
    public mutating func clear(x: Int, y: Int, width: Int, style: Style = .plain) {
        put(String(repeating: " ", count: max(0, width)), x: x, y: y, style: style, limit: width)
    }

    private mutating func set(_ character: Character, width: Int, x: Int, y: Int, style: Style) {
        let index = y * cols + x
        // Overwriting half of a wide character blanks its other half.
        if cells[index].width == 0, x > 0 { cells[index - 1] = Cell(character: " ", width: 1, style: cells[index - 1].style) }
        let last = x + width - 1
        if cells[y * cols + last].width == 2, last + 1 < cols {
            cells[y * cols + last + 1] = Cell(character: " ", width: 1, style: cells[y * cols + last + 1].style)
        }
        cells[index] = Cell(character: character, width: width, style: style)
        if width == 2 { cells[index + 1] = Cell(character: " ", width: 0, style: style) }
    }

    /// The frame as plain text, one line per row, trailing spaces removed.
    public var text: String {
        (0..<rows).map { y in
            var line = ""
            for cell in row(y) where cell.width > 0 { line.append(cell.character) }
            while line.last == " " { line.removeLast() }
            return line
        }
        .joined(separator: "\n")
    }
}
