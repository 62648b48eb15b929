/// A series drawn as one line of block characters (`▁▂▃▄▅▆▇█`), or ASCII (`_.-=^`) with `--ascii`.
public enum Sparkline {
    static let blocks: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]
    static let plain: [Character] = ["_", ".", "-", "=", "^"]

    /// The last `width` values, each scaled between the lowest and highest of them (a flat series draws low).
    public static func draw(_ values: [Double], width: Int, ascii: Bool = false) -> String {
        let shown = values.suffix(max(0, width))
        guard let low = shown.min(), let high = shown.max() else { return "" }
        let levels = ascii ? plain : blocks
        let span = high - low
        return String(shown.map { value in
            let level = span > 0 ? Int(((value - low) / span * Double(levels.count - 1)).rounded()) : 0
            return levels[min(levels.count - 1, max(0, level))]
        })
    }
}
