/// A series drawn as one line of block characters (`▁▂▃▄▅▆▇█`), or ASCII (`_.-=^`) with `--ascii`.
public enum Sparkline {
    static let blocks: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]
    static let plain: [Character] = ["_", ".", "-", "=", "^"]

    /// The last `width` values, scaled over `range` (a percentage over 0–100, say), or else between the lowest
    /// and highest of them, spread over at least `minimumSpan` so that noise does not look like a swing (a flat
    /// series draws low).
    public static func draw(
        _ values: [Double], width: Int, ascii: Bool = false, range: ClosedRange<Double>? = nil, minimumSpan: Double = 0
    ) -> String {
        let shown = values.suffix(max(0, width))
        guard let lowest = shown.min(), let highest = shown.max() else { return "" }
        let levels = ascii ? plain : blocks
        let low = range?.lowerBound ?? lowest
        let span = range.map { $0.upperBound - $0.lowerBound } ?? max(highest - lowest, minimumSpan)
        return String(shown.map { value in
            let level = span > 0 ? Int(((value - low) / span * Double(levels.count - 1)).rounded()) : 0
            return levels[min(levels.count - 1, max(0, level))]
        })
    }
}
