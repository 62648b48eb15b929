import FoundationEssentials

/// The terminal escape that puts text on the clipboard, also through ssh and tmux (with `set-clipboard on`).
enum OSC52 {
    static func sequence(_ text: String) -> String {
        "\u{1B}]52;c;" + Data(text.utf8).base64EncodedString() + "\u{07}"
    }
}
