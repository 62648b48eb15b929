import Testing

@testable import Agent

@Suite struct OutputCaptureTests {
    private func append(_ text: String, to capture: inout OutputCapture) -> String? {
        Array(text.utf8).withUnsafeBytes { capture.append($0) }
    }

    @Test func keepsTheFirstBytesUpToTheLimitAndSaysWhenMoreCame() {
        var capture = OutputCapture(limit: 5, wantsLines: false)
        #expect(append("abc", to: &capture) == nil)
        #expect(!capture.truncated)
        #expect(append("de", to: &capture) == nil)
        #expect(!capture.truncated)
        #expect(append("f", to: &capture) == nil)
        #expect(capture.truncated)
        #expect(capture.bytes == Array("abcde".utf8))
        #expect(capture.finish() == nil)
    }

    @Test func handsOnCompleteLinesAcrossReadsAndTheRestAtTheEnd() {
        var capture = OutputCapture(limit: 100, wantsLines: true)
        #expect(append("ab", to: &capture) == nil)
        #expect(append("c\nd\ne", to: &capture) == "abc\nd\n")
        #expect(append("f", to: &capture) == nil)
        #expect(capture.finish() == "ef")
        #expect(capture.finish() == nil)
        #expect(capture.bytes == Array("abc\nd\nef".utf8))
    }

    @Test func linesGoOnPastTheCaptureLimit() {
        var capture = OutputCapture(limit: 4, wantsLines: true)
        #expect(append("12\n34\n56\n", to: &capture) == "12\n34\n56\n")
        #expect(capture.bytes == Array("12\n3".utf8))
        #expect(capture.truncated)
    }

    @Test func aLineThatNeverEndsIsHandedOnInPiecesOfTheLimit() {
        var capture = OutputCapture(limit: 4, wantsLines: true)
        #expect(append("abc", to: &capture) == nil)
        #expect(append("defg", to: &capture) == "abcdefg")
        #expect(append("h", to: &capture) == nil)
        #expect(capture.finish() == "h")
    }
}
