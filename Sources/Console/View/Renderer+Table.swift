/// One column of a pane's table; width 0 means "whatever is left" (at least `minimum`).
struct Column {
    let title: String
    var width: Int
    var right = false
    var minimum = 4
}

/// One table cell's text and style.
struct TableCell {
    let text: String
    var style: Style = .plain
}

/// One row of a table: the selection and mark signs shown before it, and its cells.
typealias TableRow = (sign: String, cells: [TableCell])

extension Renderer {
    /// Resolves the flexible column and drops columns from the right until the table fits `width`.
    func fitColumns(_ columns: [Column], width: Int) -> [Column] {
        var columns = columns
        while true {
            let fixed = columns.reduce(0) { $0 + $1.width } + max(0, columns.count - 1)
            let flexMinimum = columns.first { $0.width == 0 }?.minimum ?? 0
            if fixed + flexMinimum <= width || columns.count <= 1 {
                return columns.map { column in
                    var resolved = column
                    if column.width == 0 { resolved.width = max(0, width - fixed) }
                    return resolved
                }
            }
            columns.removeLast()
        }
    }

    /// Draws a header row and `count` rows (scrolled so `selected` shows) into `area`; the first two cells of
    /// each row hold its selection and mark signs. `row` is asked only for the rows that fit.
    mutating func drawTable(
        _ area: Rect, columns: [Column], count: Int, selected: Int?, focused: Bool, row: (Int) -> TableRow
    ) {
        guard area.height >= 1, area.width >= 3 else { return }
        let fitted = fitColumns(columns, width: area.width - 2)
        let titles = fitted.map { TableCell(text: $0.title, style: Style(.header, bold: true)) }
        drawRow(titles, fitted, x: area.x + 2, y: area.y, width: area.width - 2)
        let height = area.height - 1
        let first = top(selected: selected ?? 0, count: count, height: height)
        for index in first..<min(count, first + height) {
            let y = area.y + 1 + index - first
            let isSelected = index == selected
            let (sign, cells) = row(index)
            frame.put(sign, x: area.x, y: y, style: Style(.header, bold: true), limit: 2)
            drawRow(cells, fitted, x: area.x + 2, y: y, width: area.width - 2)
            if isSelected {
                frame.restyle(x: area.x, y: y, width: area.width) { style in
                    if focused { style.reverse = true } else { style.bold = true }
                }
            }
        }
        if count == 0 {
            frame.put("(none)", x: area.x + 2, y: area.y + 1, style: .faint, limit: area.width - 2)
        }
    }

    private mutating func drawRow(_ cells: [TableCell], _ columns: [Column], x: Int, y: Int, width: Int) {
        var column = x
        for (cell, spec) in zip(cells, columns) {
            let text = DisplayWidth.fit(cell.text, spec.width, right: spec.right)
            frame.put(text, x: column, y: y, style: cell.style, limit: x + width - column)
            column += spec.width + 1
        }
    }

    /// The bottom-edge note of a scrolled list: `1-5 of 12`.
    func rangeNote(top: Int, shown: Int, count: Int) -> String {
        guard count > shown else { return "" }
        return "\(top + 1)-\(top + shown) of \(count)"
    }
}
