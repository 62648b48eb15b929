import FoundationEssentials
@testable import Shared
import Testing

/// A message's MAC (``WireSignature/isMAC``): made by the sender for the receiver's key, checked only by that key,
/// over the exact subject and payload, and never taken for a signature or for a batch of ACKs' MAC.
struct WireMACTests {
    let central = NodeKey()
    let node = NodeKey()
    let subject = "bosun.edge.cliCommand.CommandACK"
    let payload = Array(#"{"id":"m1","method":"cliCommand"}"#.utf8)

    @Test func theReceiverChecksTheMACOverTheExactBytes() throws {
        let mac = try #require(central.mac(subject: subject, payload: payload, for: node.publicKey))
        #expect(mac.isMAC && mac.key == central.publicKey)
        #expect(node.verifiesMAC(mac, subject: subject, payload: payload))
        // Another payload, another subject (a replay to another node or method), another receiver: refused.
        #expect(!node.verifiesMAC(mac, subject: subject, payload: payload + [32]))
        #expect(!node.verifiesMAC(mac, subject: "bosun.other.cliCommand.CommandACK", payload: payload))
        #expect(!NodeKey().verifiesMAC(mac, subject: subject, payload: payload))
        // The MAC made under another name: the pair key is the named key's, so it does not match.
        var renamed = mac
        renamed.key = NodeKey().publicKey
        #expect(!node.verifiesMAC(renamed, subject: subject, payload: payload))
    }

    @Test func aMACIsNeverTakenForASignatureNorABatchOfACKsMAC() throws {
        let mac = try #require(central.mac(subject: subject, payload: payload, for: node.publicKey))
        // A real signature marked as a MAC is not checked as a signature.
        var signature = try #require(central.signature(subject: subject, payload: payload))
        #expect(signature.verifies(subject: subject, payload: payload))
        signature.isMAC = true
        #expect(!signature.verifies(subject: subject, payload: payload))
        // The same value as a signature is not a MAC to check.
        var asSignature = mac
        asSignature.isMAC = false
        #expect(!node.verifiesMAC(asSignature, subject: subject, payload: payload))
        // A batch of ACKs' MAC over the same bytes, under the same pair key, is not a message's MAC (its own tag).
        let batchMAC = try #require(central.batchMAC(subject: subject, payload: payload, for: node.publicKey))
        #expect(!node.verifiesMAC(WireSignature(key: central.publicKey, value: batchMAC, isMAC: true), subject: subject, payload: payload))
        #expect(!node.verifiesMAC(WireSignature(key: central.publicKey, value: "not base64", isMAC: true), subject: subject, payload: payload))
    }

    @Test func aMACIsTakenOnlyFromAKeyTheNodeTrusts() {
        let policy = TrustPolicy(trustedKeys: [central.publicKey])
        #expect(policy.macRefusal(key: central.publicKey, node: "edge") == nil)
        let stranger = NodeKey()
        let refusal = policy.macRefusal(key: stranger.publicKey, node: "edge")
        #expect(refusal?.kind == .untrustedKey && refusal?.reason.contains("which node edge does not trust") == true)
    }
}
