import Shared
import Testing

@Suite struct MessageTests {
    @Test func roundTripKeepsEveryField() throws {
        let message = Message(
            id: "0193a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b", toNode: "pi-garage", fromNode: "central",
            messageType: .commandACK, method: .cliCommand, methodArgs: ["sh", "-c", "echo \"hi\" | wc -c"],
            data: "line 1\nline 2", dataEncoding: "utf8", ackTimeout: 2.5, retries: 3, retryWait: 0.5,
            methodTimeout: 30, ttl: 3600, replyMethod: .log,
            createdAt: Timestamp(rfc3339: "2026-11-25T09:04:03.120Z"))
        let decoded = try Message.decode(message.encoded())
        #expect(decoded == message)
    }

    @Test func acceptanceFillsDefaultsAndTheMethodsType() throws {
        let now = Timestamp(millisecondsSinceEpoch: 1_790_000_000_000)
        let accepted = try Message(toNode: "edge-1", method: .ping).accepted(
            from: "central", defaults: .standard, now: now)
        #expect(accepted.count == 1)
        let message = try #require(accepted.first)
        #expect(message.messageType == .commandACK)
        #expect(message.fromNode == "central")
        #expect(message.ackTimeout == 10)
        #expect(message.retries == 0)
        #expect(message.ttl == 604_800.0)
        #expect(message.createdAt == now)
        #expect(message.id.map(MessageID.isValid) == true)
        #expect(message.subject?.description == "bosun.edge-1.ping.CommandACK")
    }

    @Test(arguments: [
        (Method.hello, MessageType.eventNACK), (.log, .eventACK), (.cliCommand, .commandACK), (.fileWrite, .eventACK),
    ])
    func defaultMessageTypeComesFromTheMethod(method: Method, expected: MessageType) throws {
        let message = try Message.decode(Array(#"{"toNode":"a","method":"\#(method.rawValue)"}"#.utf8))
        #expect(message.messageType == nil)
        #expect(message.effectiveType == expected)
    }

    @Test func explicitTypeOverridesTheDefault() throws {
        let message = try Message.decode(Array(#"{"toNode":"a","method":"cliCommand","messageType":"CommandNACK"}"#.utf8))
        #expect(message.effectiveType == .commandNACK)
    }

    @Test func toNodesFansOutToOneMessagePerNodeEachWithItsOwnID() throws {
        let accepted = try Message(toNodes: ["a", "b", "a", "c"], method: .ping).accepted(
            from: "central", defaults: .standard)
        #expect(accepted.map(\.toNode) == ["a", "b", "c"])
        #expect(Set(accepted.compactMap(\.id)).count == 3)
        #expect(accepted.allSatisfy { $0.toNodes == nil })
    }

    @Test func starExpandsToEveryKnownNode() throws {
        let accepted = try Message(toNode: "*", method: .ping).accepted(
            from: "central", defaults: .standard, knownNodes: ["x", "y"])
        #expect(accepted.map(\.toNode) == ["x", "y"])
    }

    @Test(arguments: ["pi garage", "pi.garage", "pi>", "", "pi/1", "ümlaut"])
    func invalidNodeNamesAreRefused(name: String) {
        #expect(!NodeName.isValid(name))
        let json = #"{"toNode":"\#(name)","method":"ping"}"#
        #expect(throws: MessageError.self) { try Message.decode(Array(json.utf8)) }
    }

    @Test(arguments: ["pi-garage", "edge_01", "A", "central"])
    func validNodeNamesPass(name: String) {
        #expect(NodeName.isValid(name))
    }

    @Test func wrongTypeNamesTheFieldAndTheValue() {
        let json = #"{"id":"m1","toNode":"a","method":"ping","ackTimeout":"ten"}"#
        let error = #expect(throws: MessageError.self) { try Message.decode(Array(json.utf8)) }
        #expect(error?.field == "ackTimeout")
        #expect(error?.code == .invalidField)
        #expect(error?.description == "message m1: field `ackTimeout` must be a non-negative number of seconds, got \"ten\"")
    }

    @Test func unknownKeyIsAnErrorWithASuggestion() {
        let json = #"{"toNode":"a","method":"ping","RetryWait":2}"#
        let error = #expect(throws: MessageError.self) { try Message.decode(Array(json.utf8)) }
        #expect(error?.code == .unknownField)
        #expect(error?.field == "RetryWait")
        #expect(error?.description.contains("did you mean `retryWait`") == true)
    }

    @Test func missingMethodIsNamed() {
        let error = #expect(throws: MessageError.self) { try Message.decode(Array(#"{"toNode":"a"}"#.utf8)) }
        #expect(error?.field == "method")
        #expect(error?.code == .missingField)
    }

    @Test func brokenJSONIsReportedAsSuch() {
        let error = #expect(throws: MessageError.self) { try Message.decode(Array(#"{"toNode":"a","#.utf8)) }
        #expect(error?.code == .invalidJSON)
    }

    @Test func batchErrorsNameTheItem() {
        let json = #"[{"toNode":"a","method":"ping"},{"toNode":"b","method":"ping","retries":-1}]"#
        let error = #expect(throws: MessageError.self) { try Message.decodeBatch(Array(json.utf8)) }
        #expect(error?.field == "retries")
        #expect(error?.description.hasPrefix("item 1: ") == true)
    }

    @Test func batchTakesOneObjectOrAnArray() throws {
        #expect(try Message.decodeBatch(Array(#"{"toNode":"a","method":"ping"}"#.utf8)).count == 1)
        #expect(try Message.decodeBatch(Array(#"[{"toNode":"a","method":"ping"},{"toNode":"b","method":"ping"}]"#.utf8)).count == 2)
    }

    @Test func messageIDsSortInCreationOrder() {
        let ids = (0..<5000).map { _ in MessageID.make() }
        #expect(ids == ids.sorted())
        #expect(Set(ids).count == ids.count)
        #expect(ids.allSatisfy { $0.count == 36 && Array($0.utf8)[14] == UInt8(ascii: "7") })
    }

    @Test func idsFromLaterMillisecondsSortLater() {
        let early = MessageID.make(now: Timestamp(millisecondsSinceEpoch: 1_700_000_000_000))
        let late = MessageID.make(now: Timestamp(millisecondsSinceEpoch: 1_800_000_000_000))
        #expect(early < late)
    }

    @Test(arguments: [
        ("2026-11-25T09:04:03Z", Int64(1_795_597_443_000)), ("2026-11-25T09:04:03.120Z", 1_795_597_443_120),
        ("2026-11-25T10:04:03+01:00", 1_795_597_443_000),
    ])
    func rfc3339Parses(text: String, millis: Int64) {
        #expect(Timestamp(rfc3339: text)?.millisecondsSinceEpoch == millis)
    }

    @Test func rfc3339RoundTrips() {
        let time = Timestamp(millisecondsSinceEpoch: 1_795_597_443_120)
        #expect(time.rfc3339 == "2026-11-25T09:04:03.120Z")
        #expect(Timestamp(rfc3339: time.rfc3339) == time)
        #expect(Timestamp(rfc3339: "yesterday") == nil)
    }

    @Test func subjectsParseBack() {
        let subject = Subject(node: "pi-1", method: .cliCommand, messageType: .commandACK)
        #expect(Subject(parsing: subject.description) == subject)
        #expect(Subject(parsing: "other.pi-1.x.CommandACK") == nil)
    }
}
