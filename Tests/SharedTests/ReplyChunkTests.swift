import Shared
import Testing

/// ACKs bigger than the server's max_payload: cut into pieces that fit, put together in any order.
struct ReplyChunkTests {
    private func bigReply(_ size: Int) -> Reply {
        Reply(id: "m1", fromNode: "edge", status: .ok, exitCode: 0, stdout: String(repeating: "abcdefghij", count: size / 10))
    }

    @Test func aReplyThatFitsIsSentAsItIs() {
        let reply = bigReply(1000)
        #expect(ReplyChunk.split(reply, maxPayload: 1024 * 1024) == [reply.encoded()])
    }

    @Test func aBigReplyComesBackWholeFromPiecesInAnyOrder() throws {
        let reply = bigReply(300_000)
        let pieces = ReplyChunk.split(reply, maxPayload: 64 * 1024)
        #expect(pieces.count > 4)
        #expect(pieces.allSatisfy { $0.count <= 64 * 1024 })
        var assembly = ReplyAssembly()
        var whole: Reply?
        for piece in pieces.reversed() {
            let chunk = try #require(ReplyChunk.decode(piece))
            #expect(chunk.chunkOf == "m1")
            #expect(whole == nil)
            whole = assembly.add(chunk)
        }
        #expect(whole == reply)
    }

    @Test func aDamagedPieceIsNotTakenForTheWhole() throws {
        let pieces = ReplyChunk.split(bigReply(100_000), maxPayload: 16 * 1024)
        var assembly = ReplyAssembly()
        var chunks = try pieces.map { try #require(ReplyChunk.decode($0)) }
        chunks[1].data = "not base64!"
        #expect(chunks.compactMap { assembly.add($0) }.isEmpty)
    }

    @Test func anOrdinaryReplyIsNotAChunk() {
        #expect(ReplyChunk.decode(bigReply(10).encoded()) == nil)
    }
}
