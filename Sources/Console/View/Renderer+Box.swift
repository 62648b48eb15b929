extension Renderer {
    /// Draws a box border with a title on the top edge and an optional note on the bottom edge (right aligned).
    mutating func drawBox(_ rect: Rect, title: String, note: String = "", rightTitle: String = "", focused: Bool) {
        guard rect.width >= 4, rect.height >= 2 else { return }
        let box = glyphs.box
        let style = focused ? Style(.header, bold: true) : Style.faint
        let right = rect.x + rect.width - 1
        let bottom = rect.y + rect.height - 1
        let horizontal = String(repeating: box.h, count: rect.width - 2)
        frame.put(box.tl + horizontal + box.tr, x: rect.x, y: rect.y, style: style)
        frame.put(box.bl + horizontal + box.br, x: rect.x, y: bottom, style: style)
        for y in (rect.y + 1)..<bottom {
            frame.put(box.v, x: rect.x, y: y, style: style)
            frame.put(box.v, x: right, y: y, style: style)
        }
        let titleText = " " + DisplayWidth.truncate(title, to: rect.width - 6) + " "
        let titleStyle = focused ? Style(.header, bold: true, reverse: true) : Style(.normal, bold: true)
        let titleWidth = frame.put(titleText, x: rect.x + 1, y: rect.y, style: titleStyle, limit: rect.width - 2)
        if !rightTitle.isEmpty {
            let text = " " + rightTitle + " "
            let width = DisplayWidth.of(text)
            if width + titleWidth + 4 <= rect.width { frame.put(text, x: right - 1 - width, y: rect.y, style: style) }
        }
        if !note.isEmpty {
            let text = " " + note + " "
            let width = DisplayWidth.of(text)
            if width + 4 <= rect.width { frame.put(text, x: right - 1 - width, y: bottom, style: style) }
        }
    }

    /// The inside of a box.
    func inner(_ rect: Rect) -> Rect {
        Rect(x: rect.x + 1, y: rect.y + 1, width: max(0, rect.width - 2), height: max(0, rect.height - 2))
    }

    /// Wipes a rectangle (for overlays).
    mutating func fill(_ rect: Rect) {
        for y in rect.y..<(rect.y + rect.height) { frame.clear(x: rect.x, y: y, width: rect.width) }
    }
}
