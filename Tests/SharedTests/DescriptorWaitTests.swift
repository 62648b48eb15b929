import Foundation
import Testing

@testable import Shared

/// The socket input's reads and writes, driven by the kernel's readiness instead of a sleep loop.
@Suite struct DescriptorWaitTests {
    /// A connected pair of non-blocking unix sockets, closed afterwards.
    private func withSocketPair(_ body: (_ ours: Int32, _ theirs: Int32) async throws -> Void) async throws {
        var pair: [Int32] = [-1, -1]
        #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue), 0, &pair) == 0)
        defer {
            close(pair[0])
            close(pair[1])
        }
        try await body(pair[0], pair[1])
    }

    private func send(_ text: String, to fd: Int32) {
        let bytes = Array(text.utf8)
        #expect(bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } == bytes.count)
    }

    @Test func anInputSentInPiecesIsReadWhole() async throws {
        try await withSocketPair { ours, theirs in
            let input = ClientInput(limit: 1024)
            async let finished = DescriptorWait.run(ours, .read, timeout: .seconds(30)) { input.readAvailable(from: ours) }
            send(#"{"toNode": "a", "#, to: theirs)
            send(#""method": "ping"}"#, to: theirs)
            #expect(await finished)
            #expect(input.status == .complete)
            #expect(String(decoding: input.bytes, as: UTF8.self) == #"{"toNode": "a", "method": "ping"}"#)
        }
    }

    @Test func aClientThatSendsNothingIsGivenUpAtTheTimeout() async throws {
        try await withSocketPair { ours, _ in
            let input = ClientInput(limit: 1024)
            let finished = await DescriptorWait.run(ours, .read, timeout: .milliseconds(50)) { input.readAvailable(from: ours) }
            #expect(!finished)
            #expect(input.status == .reading)
        }
    }

    @Test func anInputOverTheLimitStopsTheRead() async throws {
        try await withSocketPair { ours, theirs in
            let input = ClientInput(limit: 8)
            send("[1, 2, 3, 4, 5, 6]", to: theirs)
            #expect(await DescriptorWait.run(ours, .read, timeout: .seconds(30)) { input.readAvailable(from: ours) })
            #expect(input.status == .tooLarge)
        }
    }

    @Test func anAnswerLargerThanTheSocketBufferIsWrittenAsTheClientReads() async throws {
        try await withSocketPair { ours, theirs in
            let answer = [UInt8](repeating: UInt8(ascii: "x"), count: 4 * 1024 * 1024)
            let output = ClientOutput(answer)
            async let finished = DescriptorWait.run(ours, .write, timeout: .seconds(30)) { output.writeAvailable(to: ours) }
            let received = ClientInput(limit: answer.count + 1)
            // The reading side, slower than the writer: done when it has every byte.
            let read = await DescriptorWait.run(theirs, .read, timeout: .seconds(30)) {
                _ = received.readAvailable(from: theirs)
                return received.bytes.count == answer.count
            }
            #expect(await finished)
            #expect(read)
            #expect(received.bytes == answer)
        }
    }

    @Test func aCancelledWaitReturnsAtOnce() async throws {
        try await withSocketPair { ours, _ in
            let waiting = Task { await DescriptorWait.run(ours, .read, timeout: .seconds(3600)) { false } }
            waiting.cancel()
            #expect(await waiting.value == false)
        }
    }
}
