import Testing

@testable import Shared

@Suite struct JSONFramingTests {
    @Test(arguments: [
        (#"{"a":1}"#, true),
        (#"[{"a":1},{"b":"]"}]"#, true),
        ("  [ ]\n", true),
        (#"[{"a":1}"#, false),
        (#"{"a":"}"#, false),
        (#"{"a":"\"}"}"#, true),
        (#"{"a":"\"}""#, false),
        ("", false),
        ("   ", false),
    ])
    func completeValuesAreTold(text: String, complete: Bool) {
        #expect(JSONFraming.isComplete(Array(text.utf8)) == complete)
    }
}
