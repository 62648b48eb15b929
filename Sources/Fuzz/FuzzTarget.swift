import Shared

/// What one fuzz target feeds its input to: the same calls the real caller makes, in the same order.
///
/// A target returns normally for every input, accepted or refused; a crash, a trap or a sanitizer report is the
/// finding. `message` is a NATS payload at the receiver, `batch` is an `inmsg.txt` or `inbox/` file, `reply` is an
/// ACK (whole or in chunks) back at the sender.
enum FuzzTarget: String, CaseIterable, Sendable {
    case message
    case batch
    case reply

    func run(_ bytes: [UInt8]) {
        switch self {
        case .message: Self.receive(bytes)
        case .batch: Self.intake(bytes)
        case .reply: Self.answer(bytes)
        }
    }

    /// The receiver: decode, then what it reads off the message before running it.
    private static func receive(_ bytes: [UInt8]) {
        guard let message = try? Message.decode(bytes) else { return }
        _ = message.subject
        _ = message.expiresAt
        _ = message.effectiveType
        checkRoundTrip(message)
    }

    /// `inmsg.txt` and `inbox/`: a message or an array, each accepted with its defaults filled in.
    private static func intake(_ bytes: [UInt8]) {
        guard let messages = try? Message.decodeBatch(bytes) else { return }
        for message in messages {
            guard let copies = try? message.accepted(from: "central", defaults: .standard, knownNodes: ["a", "b"])
            else { continue }
            for copy in copies {
                _ = copy.subject
                _ = copy.expiresAt
                checkRoundTrip(copy)
            }
        }
    }

    /// The sender reading an answer: a chunk of a big ACK, or a whole one.
    private static func answer(_ bytes: [UInt8]) {
        if let chunk = ReplyChunk.decode(bytes) {
            var assembly = ReplyAssembly()
            _ = assembly.add(chunk)
            return
        }
        _ = try? Reply.decode(bytes)
    }

    /// What one node encodes, another decodes to the same message: otherwise a message changes in transit.
    private static func checkRoundTrip(_ message: Message) {
        let encoded = message.encoded()
        guard let again = try? Message.decode(encoded) else {
            fatalError("a decoded message does not decode after encoding: \(message.json)")
        }
        guard again.encoded() == encoded else {
            fatalError("a message changes in an encode/decode round trip: \(message.json) -> \(again.json)")
        }
    }
}
