import Shared
import Testing

@testable import Shared

/// The ACL file: its checks, and what it lets through.
struct AccessListTests {
    let operatorKey = NodeKey()

    private func list(_ json: String) throws -> AccessList {
        try AccessList.parse(Array(json.utf8), path: "acl.json")
    }

    private func command(_ argv: [String], method: Method = .cliCommand, key: NodeKey? = nil) throws -> Message {
        var message = try Message(toNode: "edge", method: method, methodArgs: argv).accepted(from: "central", defaults: .standard)[0]
        // What the receiver sets once the signature in the headers checked out.
        message.signedBy = (key ?? operatorKey).publicKey
        return message
    }

    @Test func patternsMatchWholeArgvsWithStarAndATrailingDoubleStar() {
        #expect(AccessList.matches(pattern: ["df", "*"], argv: ["df", "-h"]))
        #expect(!AccessList.matches(pattern: ["df", "*"], argv: ["df"]))
        #expect(!AccessList.matches(pattern: ["df", "*"], argv: ["df", "-h", "/"]))
        #expect(AccessList.matches(pattern: ["journalctl", "**"], argv: ["journalctl"]))
        #expect(AccessList.matches(pattern: ["journalctl", "**"], argv: ["journalctl", "-u", "nginx"]))
        #expect(!AccessList.matches(pattern: ["uptime"], argv: ["sh", "-c", "uptime; rm -rf /"]))
    }

    @Test func aRuleNarrowsCommandsForItsSigners() throws {
        let acl = try list(#"""
            {"groups": {"ops": ["\#(operatorKey.publicKey)"]},
             "rules": [{"who": ["@ops"], "methods": ["cliCommand", "fileRead"], "commands": [["uptime"], ["df", "*"]]}]}
            """#)
        #expect(acl.refusal(of: try command(["df", "-h"]), signerTrusted: true) == nil)
        #expect(acl.refusal(of: try command(["sh", "-c", "reboot"]), signerTrusted: true)?.contains("does not let central run sh -c reboot") == true)
        #expect(acl.refusal(of: try command(["/etc/passwd"], method: .fileRead), signerTrusted: true) == nil)
        #expect(acl.refusal(of: try command(["x"], method: .fileWrite), signerTrusted: true)?.contains("`fileWrite`") == true)
        // Another signer has no rule; the open methods need none.
        #expect(acl.refusal(of: try command(["uptime"], key: NodeKey()), signerTrusted: true) != nil)
        #expect(acl.refusal(of: try command([], method: .ping, key: NodeKey()), signerTrusted: false) == nil)
    }

    @Test func nodeNamesCountOnlyForTrustedSigners() throws {
        let acl = try list(#"{"rules": [{"who": ["central"], "methods": ["*"]}]}"#)
        #expect(acl.refusal(of: try command(["uptime"]), signerTrusted: true) == nil)
        #expect(acl.refusal(of: try command(["uptime"]), signerTrusted: false) != nil)
    }

    @Test(arguments: [
        (#"[]"#, "not a JSON object"),
        (#"{"rules": [], "extra": 1}"#, "unknown key `extra`"),
        (#"{"rules": [{"who": [], "methods": ["*"]}]}"#, "`rules[0].who`"),
        (#"{"rules": [{"who": ["@nobody"], "methods": ["*"]}]}"#, "group @nobody"),
        (#"{"rules": [{"who": ["a"], "methods": ["*"], "commands": ["uptime"]}]}"#, "`rules[0].commands`"),
        (#"{"rules": [{"who": ["a"], "method": ["*"]}]}"#, "unknown key `method`"),
    ])
    func aBrokenFileNamesTheFileAndTheField(json: String, expected: String) {
        let error = #expect(throws: AccessListError.self) { try list(json) }
        #expect(error?.description.hasPrefix("ACL file acl.json: ") == true)
        #expect(error?.description.contains(expected) == true)
    }
}
