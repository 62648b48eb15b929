import Dispatch

/// A message as the outbox stores it at accept: encoded once, and signed on its subject.
struct AcceptedRow: Sendable {
    var subject: String
    var payload: [UInt8]
    var wantsACK: Bool
    var signature: WireSignature?

    /// Below this many messages a batch is encoded and signed on the calling thread.
    static let parallelThreshold = 64

    /// The rows of `messages` (each with a `toNode`), in order. A signature costs tens of microseconds, so a big
    /// batch (one message fanned out to thousands of nodes) is shared among the cores: the accept's wall time,
    /// during which nothing of the batch can go out, is what a fan-out waits for first.
    static func make(
        _ messages: [Message], sign: @escaping @Sendable (_ subject: String, _ payload: [UInt8]) -> WireSignature?
    ) -> [AcceptedRow] {
        guard messages.count >= parallelThreshold else { return messages.map { row(for: $0, sign: sign) } }
        // More chunks than cores, so a core that finishes first takes another.
        let chunks = min(16, messages.count / (parallelThreshold / 2))
        let size = (messages.count + chunks - 1) / chunks
        let slots = Slots(count: chunks)
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            let range = (chunk * size)..<min(messages.count, (chunk + 1) * size)
            slots.set(chunk, messages[range].map { row(for: $0, sign: sign) })
        }
        return slots.joined()
    }

    private static func row(
        for message: Message, sign: (_ subject: String, _ payload: [UInt8]) -> WireSignature?
    ) -> AcceptedRow {
        let type = message.effectiveType
        let subject = Subject(node: message.toNode ?? "", method: message.method, messageType: type).description
        let payload = message.encoded()
        return AcceptedRow(subject: subject, payload: payload, wantsACK: type.wantsACK, signature: sign(subject, payload))
    }
}

/// The chunks' rows, each written once by its own iteration.
private final class Slots: @unchecked Sendable {
    // Safe: iteration `i` writes only slot `i` (a buffer, not an array property, so no exclusive access of the
    // whole), and the slots are read after concurrentPerform returns.
    private let slots: UnsafeMutableBufferPointer<[AcceptedRow]>

    init(count: Int) { slots = .allocate(capacity: count); slots.initialize(repeating: []) }

    deinit {
        slots.deinitialize()
        slots.deallocate()
    }

    func set(_ index: Int, _ rows: [AcceptedRow]) { slots[index] = rows }

    func joined() -> [AcceptedRow] { slots.flatMap { $0 } }
}
