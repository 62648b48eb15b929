import Shared

/// The symbols of the screen, in Unicode or (`--ascii`) plain ASCII.
public struct Glyphs: Sendable {
    public let ascii: Bool

    public init(ascii: Bool) { self.ascii = ascii }

    /// `● up`, `◐ stale`, `○ down` (ASCII `* up`, `~ stale`, `o down`), with their colour.
    /// A node not approved (asking to join, or rejected), or one that runs unsigned messages, shows that in
    /// place of its liveness; nil for an approved node (and one with no key on record, as before approval existed).
    public func trust(_ node: NodeRecord) -> (text: String, style: Style)? {
        switch node.keyState {
        case .pending: return ((ascii ? "?" : "◌") + " pending", Style(.stale, bold: true))
        case .rejected: return ((ascii ? "x" : "✗") + " rejected", Style(.down, bold: true))
        case .approved, nil:
            guard node.insecure else { return nil }
            return ("! INSECURE", Style(.down, bold: true))
        }
    }

    public func liveness(_ state: Liveness) -> (text: String, style: Style) {
        switch state {
        case .up: return ((ascii ? "*" : "●") + " up", Style(.up))
        case .stale: return ((ascii ? "~" : "◐") + " stale", Style(.stale, bold: true))
        case .down: return ((ascii ? "o" : "○") + " down", Style(.down, bold: true))
        }
    }

    /// A message state as glyph and word, with its colour.
    public func message(_ state: OutboxState) -> (text: String, style: Style) {
        let glyph: String
        let style: Style
        switch state {
        case .queued: (glyph, style) = (ascii ? "." : "◌", .faint)
        case .sending: (glyph, style) = (ascii ? "~" : "…", Style(.sending))
        case .inProgress: (glyph, style) = (ascii ? "~" : "⧗", Style(.sending))
        case .acked: (glyph, style) = (ascii ? "*" : "✓", Style(.acked))
        case .failed, .expired, .rejected: (glyph, style) = (ascii ? "x" : "✗", Style(.failed, bold: true))
        case .cancelled: (glyph, style) = (ascii ? "x" : "✗", .faint)
        case .sent: (glyph, style) = (ascii ? ">" : "→", Style(.acked))
        }
        return (glyph + " " + state.rawValue, style)
    }

    public var selected: String { ascii ? ">" : "▶" }
    public var mark: String { ascii ? "+" : "✚" }
    public var dot: String { ascii ? "-" : "·" }
    public var arrow: String { ascii ? "->" : "→" }

    /// Box corners and lines: top-left, top-right, bottom-left, bottom-right, horizontal, vertical.
    public var box: (tl: String, tr: String, bl: String, br: String, h: String, v: String) {
        ascii ? ("+", "+", "+", "+", "-", "|") : ("┌", "┐", "└", "┘", "─", "│")
    }
}
