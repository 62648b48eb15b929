import Shared
import Testing

/// Inputs the fuzz targets (scripts/fuzz.sh) crashed on, each kept so that the crash stays fixed.
@Suite struct FuzzRegressionTests {
    /// `message` target, first seconds: a `ttl` of 1e30 decoded, then `expiresAt` trapped converting
    /// 1e33 ms to `Int64`. Any node could be crashed by one message on the wire; now the field is refused.
    @Test(arguments: [
        #"{"toNode":"x","method":"cliCommand","createdAt":"2026-11-25T09:14:03.123Z","ttl":1e30}"#,
        #"{"toNode":"x","method":"ping","createdAt":"2026-11-25T09:14:03Z","ttl":9.3e15}"#,
        #"{"toNode":"x","method":"ping","methodTimeout":1e300}"#,
    ])
    func aHugeSecondsFieldIsRefusedInsteadOfOverflowing(_ input: String) throws {
        let error = #expect(throws: MessageError.self) { try Message.decode(Array(input.utf8)) }
        #expect(error?.code == .tooLarge)
    }

    @Test func theLatestExpiryThatDecodesIsComputable() throws {
        let message = try Message.decode(
            Array(#"{"toNode":"x","method":"ping","createdAt":"9999-12-31T23:59:59.999Z","ttl":315360000}"#.utf8))
        #expect(message.expiresAt != nil)
    }
}
