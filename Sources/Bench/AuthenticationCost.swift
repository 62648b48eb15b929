import Foundation
import Shared

/// What authenticating one EventACK costs on its own, on this machine in this run, so the engine's overhead
/// beyond it shows: the sender signs the message once at accept, the receiver checks the signature, the
/// receiver makes the ACK's MAC and the sender checks it; with signed ACKs instead, a signing and a check. And what
/// a fan-out's first contact with a node costs the central on its own: signing its message, agreeing a key with it
/// for its ACK's MAC, checking that MAC.
enum AuthenticationCost {
    /// Microseconds of CPU per message for each part, measured over `count` messages of the bench's own kind.
    static func measure(count: Int = 2000) throws -> [String: Double] {
        let central = NodeKey()
        let agent = NodeKey()
        let message = try Message(toNode: Scenarios.agentNode, messageType: .eventACK, method: .ping)
            .accepted(from: "central", defaults: .standard)[0]
        let subject = "bosun.\(Scenarios.agentNode).ping.EventACK"
        let payload = message.encoded()
        let reply = Reply(id: message.id ?? "", fromNode: Scenarios.agentNode, status: .ok)
        _ = central.pairKey(with: agent.publicKey)
        _ = agent.pairKey(with: central.publicKey)
        func perMessage(count: Int = count, _ body: () -> Bool) -> Double {
            let start = ProcessFigures.cpuNow()
            var good = 0
            for _ in 0..<count where body() { good += 1 }
            precondition(good == count, "an authentication step failed in the bench")
            return (ProcessFigures.cpuNow() - start) * 1_000_000 / Double(count)
        }
        let signature = central.signature(subject: subject, payload: payload)!
        let authenticated = agent.authenticate(reply, for: central.publicKey)
        let signed = agent.sign(reply)
        let pair = central.pairKey(with: agent.publicKey)!
        // A node never heard from before (a fan-out's first contact): its key turned into X25519 form and the pair
        // key worked out, as its first ACK makes the central do. Fresh keys, made before the clock starts.
        let strangers = (0..<300).map { _ in NodeKey().publicKey }
        var next = strangers.makeIterator()
        let agreeKey = perMessage(count: strangers.count) { next.next().flatMap { central.pairKey(with: $0) } != nil }
        return [
            "agreeKey": agreeKey,
            "sign": perMessage { central.signature(subject: subject, payload: payload) != nil },
            "verify": perMessage { signature.verifies(subject: subject, payload: payload) },
            "macACK": perMessage { agent.authenticate(reply, for: central.publicKey).mac != nil },
            "checkMAC": perMessage { authenticated.hasValidMAC(key: pair) },
            "signACK": perMessage { agent.sign(reply).signature != nil },
            "checkSignedACK": perMessage { signed.hasValidSignature },
        ]
    }
}
