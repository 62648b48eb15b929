/// A key press as the console understands it, independent of the terminal library.
public enum Key: Hashable, Sendable {
    /// A printable character (also Space).
    case char(Character)
    case enter, escape, tab, backTab, backspace, delete
    case up, down, left, right, pageUp, pageDown, home, end
    /// A control chord, named by its lower-case letter: `.ctrl("c")` is Ctrl-C.
    case ctrl(Character)
    /// F1…F12.
    case function(Int)
}
