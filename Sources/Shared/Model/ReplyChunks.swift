import FoundationEssentials

/// An ACK too big for one NATS message, cut into pieces that each fit the server's `max_payload`.
///
/// Each piece is a small JSON object (`chunkOf`, `index`, `count`, base64 `data`) on the same reply subject;
/// the sender puts them together in any order and reads the whole as the ACK. Results are capped well before
/// this matters for memory (``OutputDefaults/captureLimit``).
public struct ReplyChunk: Codable, Sendable, Equatable {
    /// The id of the message the reply answers.
    public var chunkOf: String
    public var index: Int
    public var count: Int
    public var data: String

    /// The pieces of `reply`, or the reply itself as the only element when it fits in `maxPayload` bytes.
    public static func split(_ reply: Reply, maxPayload: Int) -> [[UInt8]] {
        let bytes = reply.encoded()
        guard bytes.count > maxPayload else { return [bytes] }
        // Room for the envelope, and base64's 4 bytes for every 3.
        let pieceSize = max(1, (maxPayload - 512) / 4 * 3)
        let count = (bytes.count + pieceSize - 1) / pieceSize
        return (0..<count).map { index in
            let piece = bytes[(index * pieceSize)..<min(bytes.count, (index + 1) * pieceSize)]
            let chunk = ReplyChunk(chunkOf: reply.id, index: index, count: count, data: Data(piece).base64EncodedString())
            return (try? Array(JSONLines.encoder.encode(chunk))) ?? []
        }
    }

    /// Reads `bytes` as a chunk, if it is one.
    public static func decode(_ bytes: [UInt8]) -> ReplyChunk? {
        guard bytes.starts(with: Array(#"{"chunkOf""#.utf8)) else { return nil }
        return try? JSONDecoder().decode(ReplyChunk.self, from: Data(bytes))
    }
}

/// Collects the chunks of one reply until it is whole.
public struct ReplyAssembly: Sendable {
    private var pieces: [Int: [UInt8]] = [:]
    private var count: Int?

    public init() {}

    /// Adds a chunk; returns the whole reply once every piece is there (nil before, or if a piece is damaged).
    public mutating func add(_ chunk: ReplyChunk) -> Reply? {
        guard chunk.count > 0, chunk.index >= 0, chunk.index < chunk.count, count == nil || count == chunk.count,
            let piece = Data(base64Encoded: chunk.data)
        else { return nil }
        count = chunk.count
        pieces[chunk.index] = Array(piece)
        guard pieces.count == chunk.count else { return nil }
        let whole = (0..<chunk.count).flatMap { pieces[$0] ?? [] }
        return try? Reply.decode(whole)
    }
}
