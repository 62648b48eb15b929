import Testing

@testable import Shared

/// The strict parser every payload goes through: what it takes, and what it refuses, saying where.
@Suite struct JSONParserTests {
    private func parse(_ text: String) throws(MessageError) -> JSONValue { try JSONParser.parse(Array(text.utf8)) }

    private func refusal(_ text: String) -> String? {
        do {
            _ = try parse(text)
            return nil
        } catch {
            return error.description
        }
    }

    @Test func readsEveryKindOfValue() throws {
        let value = try parse(#" {"a": [1, -2.5e3, true, false, null], "b": "x\"\\\/\n\u00e9\ud83d\ude00", "c": {}} "#)
        #expect(value == .object([
            "a": .array([.number(1), .number(-2500), .bool(true), .bool(false), .null]),
            "b": .string("x\"\\/\né😀"), "c": .object([:]),
        ]))
    }

    @Test(arguments: [
        (#"{"a":1,"a":2}"#, "duplicate key `a`"),
        ("[1,]", "unexpected character"),
        (#"{"a":1} x"#, "unexpected text after the JSON value"),
        (#""\ud83d""#, "unpaired surrogate"),
        ("01", "unexpected text after the JSON value"),
        ("1e999", "number out of range"),
        ("\"a\u{01}\"", "control character in a string"),
        (#""abc"#, "unterminated string"),
        ("tru", "unexpected end"),
    ])
    func refusesWhatIsNotStrictJSONSayingWhat(text: String, reason: String) {
        #expect(refusal(text)?.contains(reason) == true, "\(text): \(refusal(text) ?? "accepted")")
    }

    @Test func refusesDeepNestingBeforeBuildingIt() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(refusal(deep)?.contains("nested deeper than 32 levels at byte 32") == true)
    }

    @Test func refusesInvalidUTF8() {
        #expect {
            try JSONParser.parse([0x22, 0xFF, 0xFE, 0x22])
        } throws: { "\($0)".contains("invalid UTF-8 in a string") }
    }

    /// Whole numbers are read without a string (up to 15 digits); every number reads as `Double` reads its text.
    @Test(arguments: [
        "0", "-0", "7", "-7", "3600", "604800", "123456789012345", "-123456789012345", "1234567890123456",
        "12345678901234567890", "0.5", "-2.5e3", "1E2", "10e-1",
    ])
    func readsNumbersAsDoubleReadsTheirText(text: String) throws {
        let value = try parse(text)
        let expected = try #require(Double(text))
        guard case .number(let number) = value else { Issue.record("\(text): \(value)"); return }
        #expect(number == expected && number.sign == expected.sign, "\(text): \(number)")
    }

    @Test func readsStringsWithAndWithoutEscapesAndRefusesBadUTF8AfterAnEscape() throws {
        #expect(try parse(#"["plain é", "", "a\\tb", "\u0041z"]"#)
            == .array([.string("plain é"), .string(""), .string(#"a\tb"#), .string("Az")]))
        #expect {
            try JSONParser.parse([0x22, 0x5C, 0x6E, 0xFF, 0x22])
        } throws: { "\($0)".contains("invalid UTF-8 in a string at byte 5") }
        #expect {
            try JSONParser.parse([0x22, 0xC3, 0x22])
        } throws: { "\($0)".contains("invalid UTF-8 in a string at byte 3") }
    }
}
