import Foundation
import Logging
import Testing

@testable import Agent
@testable import Shared

/// `ping` is answered at once, without a task of its own, behind the same argument check as every method.
@Suite struct PingHandlerTests {
    private func withHandler(_ body: (any ImmediateMethodHandler, HandlerContext) throws -> Void) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bosun-ping-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let errors = ErrorReporter(node: "edge", centralNode: "central", dataDirectory: directory, logger: Logger(label: "test"))
        let handler: any MethodHandler = Checked(PingHandler(), errors: errors)
        let immediate = try #require(handler as? any ImmediateMethodHandler)
        try body(immediate, HandlerContext(node: "edge", dataDirectory: directory))
    }

    private func ping(_ arguments: [String]? = nil) -> Message {
        var message = Message(toNode: "edge", method: .ping, methodArgs: arguments)
        message.id = "p1"
        message.fromNode = "central"
        return message
    }

    @Test func answersPongAtOnce() throws {
        try withHandler { handler, context in
            let reply = handler.handleNow(ping(), context: context)
            #expect(reply.status == .ok)
            #expect(reply.stdout == "pong")
            #expect(reply.id == "p1")
            #expect(reply.finishedAt != nil)
        }
    }

    @Test func refusesArgumentsAndSaysWhy() throws {
        try withHandler { handler, context in
            let reply = handler.handleNow(ping(["extra"]), context: context)
            #expect(reply.status == .rejected)
            #expect(reply.error?.contains("ping takes no arguments") == true, "\(reply.error ?? "")")
        }
    }
}
