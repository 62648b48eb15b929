import Foundation
import Testing

@testable import Console

/// Whole frames compared with the ones kept in `Golden/`: the text, and under it the styles of each row as runs
/// (`columns:style`), with colour roles or, for a terminal without colour, attributes only.
///
/// A change to the layout shows here as a diff of the golden file; after checking it by eye, write the files
/// anew with `BOSUN_UPDATE_GOLDEN=1 swift test --filter GoldenFrameTests`.
@Suite struct GoldenFrameTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden").path

    @Test(arguments: [(120, 40), (80, 24), (60, 20), (40, 10)], [true, false])
    func frameMatchesItsGolden(size: (cols: Int, rows: Int), colour: Bool) throws {
        let state = Fixtures.state(cols: size.cols, rows: size.rows)
        let frame = render(state, cols: size.cols, rows: size.rows)
        let text = Self.golden(frame, colour: colour)
        let path = "\(Self.directory)/\(size.cols)x\(size.rows)-\(colour ? "colour" : "no-colour").txt"
        if ProcessInfo.processInfo.environment["BOSUN_UPDATE_GOLDEN"] == "1" {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        }
        let kept = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text == kept, "frame \(size.cols)x\(size.rows) differs from \(path)")
    }

    /// The frame as text, then one line of style runs per row.
    static func golden(_ frame: Frame, colour: Bool) -> String {
        var lines = frame.text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines.append("--- styles (\(colour ? "colour roles and attributes" : "attributes only")) ---")
        for y in 0..<frame.rows {
            var runs: [String] = []
            var start = 0
            var current: String?
            for (x, cell) in frame.row(y).enumerated() {
                let name = styleName(cell.style, colour: colour)
                if name != current {
                    if let current, current != "plain" { runs.append("\(start)-\(x - 1):\(current)") }
                    current = name
                    start = x
                }
            }
            if let current, current != "plain" { runs.append("\(start)-\(frame.cols - 1):\(current)") }
            lines.append("\(y): " + runs.joined(separator: " "))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func styleName(_ style: Style, colour: Bool) -> String {
        var parts: [String] = []
        if colour, style.role != .normal { parts.append("\(style.role)") }
        if style.bold { parts.append("bold") }
        if style.dim { parts.append("dim") }
        if style.reverse { parts.append("reverse") }
        return parts.isEmpty ? "plain" : parts.joined(separator: "+")
    }
}
