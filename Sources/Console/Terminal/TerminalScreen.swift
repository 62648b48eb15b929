import CNCurses

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Why the console cannot take the terminal.
public struct TerminalError: Error, CustomStringConvertible {
    public var description: String
}

/// The only code that calls ncurses. Not thread-safe: one thread (``TerminalThread``'s) makes, uses and
/// closes it.
final class TerminalScreen {
    private var previous: Frame?
    private let colors: Bool
    private var closed = false

    /// Takes over the terminal: UTF-8 locale, no echo, keypad, a 30 ms read timeout, colours unless `noColor`.
    init(noColor: Bool) throws(TerminalError) {
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
            throw TerminalError(description: "the console needs a terminal; use the subcommands for scripts")
        }
        setlocale(LC_ALL, "")
        set_escdelay(25)
        guard initscr() != nil else { throw TerminalError(description: "cannot start ncurses on this terminal") }
        cbreak()
        noecho()
        nonl()
        keypad(bosun_stdscr(), true)
        timeout(30)
        curs_set(0)
        colors = !noColor && has_colors()
        if colors {
            start_color()
            use_default_colors()
            for role in ColorRole.allCases where role != .normal {
                init_pair(Int16(role.rawValue), Self.foreground(role), -1)
            }
        }
    }

    deinit { close() }

    /// Gives the terminal back as it was. Safe to call twice.
    func close() {
        guard !closed else { return }
        closed = true
        endwin()
    }

    /// The terminal's size now.
    var size: (cols: Int, rows: Int) {
        var rows: Int32 = 0
        var cols: Int32 = 0
        bosun_getmaxyx(bosun_stdscr(), &rows, &cols)
        return (Int(cols), Int(rows))
    }

    /// Waits up to the read timeout for a key.
    func read() -> KeyDecoder.Input? {
        var value: UInt32 = 0
        let status = bosun_get_wch(&value)
        return KeyDecoder.decode(status: status, value: value)
    }

    /// Forgets what is on screen, so the next draw repaints everything (after a resize).
    func invalidate() {
        previous = nil
        erase()
    }

    /// Draws the rows of `frame` that changed since the last draw, clipped to the terminal.
    func draw(_ frame: Frame) {
        let (cols, rows) = size
        if previous.map({ $0.cols != frame.cols || $0.rows != frame.rows }) ?? true { invalidate() }
        for y in 0..<min(rows, frame.rows) where previous.map({ $0.row(y) != frame.row(y) }) ?? true {
            drawRow(frame, y: y, width: min(cols, frame.cols), bottomRight: y == rows - 1)
        }
        previous = frame
        refresh()
    }

    /// Writes raw bytes to the terminal after the screen is drawn (OSC 52 clipboard sequences).
    func writeRaw(_ text: String) {
        var bytes = Array(text.utf8)
        _ = bytes.withUnsafeMutableBytes { write(STDOUT_FILENO, $0.baseAddress, $0.count) }
    }

    private func drawRow(_ frame: Frame, y: Int, width: Int, bottomRight: Bool) {
        var x = 0
        // Writing the last cell of the last line would scroll the screen; it is left blank.
        let end = bottomRight ? width - 1 : width
        while x < end {
            let style = frame[x, y].style
            var text = ""
            let start = x
            while x < end, frame[x, y].style == style {
                let cell = frame[x, y]
                if cell.width == 2 && x + 1 >= end {
                    text.append(" ")
                } else if cell.width > 0 {
                    text.append(cell.character)
                }
                x += 1
            }
            var bytes = Array(text.utf8)
            bytes.append(0)
            bytes.withUnsafeBufferPointer { buffer in
                buffer.withMemoryRebound(to: CChar.self) { chars in
                    _ = bosun_put(
                        Int32(y), Int32(start), chars.baseAddress, Int32(bytes.count - 1), attributes(style),
                        colors ? Int16(style.role.rawValue) : 0)
                }
            }
        }
    }

    private func attributes(_ style: Style) -> attr_t {
        var value = bosun_a_normal()
        if style.bold { value |= bosun_a_bold() }
        if style.dim { value |= bosun_a_dim() }
        if style.reverse { value |= bosun_a_reverse() }
        return value
    }

    private static func foreground(_ role: ColorRole) -> Int16 {
        switch role {
        case .up, .acked: return Int16(COLOR_GREEN)
        case .stale, .sending: return Int16(COLOR_YELLOW)
        case .down, .failed: return Int16(COLOR_RED)
        case .header: return Int16(COLOR_CYAN)
        case .dim, .normal: return -1
        }
    }
}
