import ArgumentParser
import Foundation
import Shared

/// `bosun-bench codec`: what reading and writing the wire's JSON costs, in process, per item: a ping and a log line
/// as a node decodes them, an ACK and a batch of 64 ACKs as a sender decodes them, and a message encoded. The
/// thread's CPU time (what a shared machine's other guests take is not counted), medians of seven runs; for comparing
/// two builds in one sitting.
struct CodecBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "codec", abstract: "The cost of decoding and encoding the wire's JSON.")

    @Option(help: "Items per run.") var iterations = 50_000

    func run() throws {
        let ping = try Message(toNode: "edge", method: .ping).accepted(from: "central", defaults: .standard)[0]
        let log = try Message(toNode: "central", method: .log, methodArgs: ["app"], data: "GET /index.html 200 5123 bytes\n")
            .accepted(from: "edge", defaults: .standard)[0]
        let reply = Reply(id: ping.id ?? "", fromNode: "edge", status: .ok, startedAt: .now, finishedAt: .now)
        let batch = ReplyBatch(entries: (0..<64).map { ReplyBatch.Entry(to: String(1000 + $0), reply: reply) }).encoded()
        let (pingBytes, logBytes, replyBytes) = (ping.encoded(), log.encoded(), reply.encoded())
        let figures: [(String, Int, () -> Void)] = [
            ("decode a ping (\(pingBytes.count) bytes)", 1, { _ = try? Message.decode(pingBytes) }),
            ("decode a log line (\(logBytes.count) bytes)", 1, { _ = try? Message.decode(logBytes) }),
            ("decode an ACK (\(replyBytes.count) bytes)", 1, { _ = try? Reply.decode(replyBytes) }),
            ("decode a batch of 64 ACKs, per ACK", 64, { _ = try? ReplyBatch.decode(batch) }),
            ("encode a ping", 1, { _ = ping.encoded() }),
        ]
        print("CPU per item, median of 7 runs of \(iterations):")
        for (name, items, work) in figures {
            let runs = (0..<7).map { _ -> Double in
                let rounds = max(1, iterations / items)
                let start = Self.threadCPUNanoseconds()
                for _ in 0..<rounds { work() }
                return Double(Self.threadCPUNanoseconds() - start) / 1000 / Double(rounds * items)
            }.sorted()
            print("  " + name.padding(toLength: 40, withPad: " ", startingAt: 0) + String(format: " %8.2f µs", runs[3]))
        }
    }

    private static func threadCPUNanoseconds() -> Int {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return time.tv_sec * 1_000_000_000 + time.tv_nsec
    }
}
