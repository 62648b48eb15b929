import Foundation
import Logging
import Testing

@testable import Shared

/// Handlers the receiver runs at once, without a task: what they write, and that they are seen as such.
@Suite struct ImmediateHandlerTests {
    private func logLine(_ text: String, name: String = "app", id: String) -> Message {
        var message = Message(toNode: "central", messageType: .eventACK, method: .log, methodArgs: [name], data: text)
        message.id = id
        message.fromNode = "edge"
        return message
    }

    @Test func logHandlerCreatesItsDirectoryOnceAndAppendsInOrder() throws {
        try withTemporaryDirectory { directory in
            let context = HandlerContext(node: "central", dataDirectory: directory)
            let handler = LogHandler()
            for index in 0..<50 {
                let reply = handler.handleNow(logLine("line \(index)", id: "m\(index)"), context: context)
                #expect(reply.status == .ok, "line \(index): \(reply.error ?? "")")
            }
            let written = try String(contentsOfFile: directory + "/logs/edge/app.log", encoding: .utf8)
            #expect(written == (0..<50).map { "line \($0)\n" }.joined())
        }
    }

    @Test func logHandlerRefusesABadNameAndWritesNothing() throws {
        try withTemporaryDirectory { directory in
            let reply = LogHandler().handleNow(
                logLine("x", name: "../etc", id: "m1"), context: HandlerContext(node: "central", dataDirectory: directory))
            #expect(reply.status == .rejected)
            #expect(reply.error == "field `methodArgs`[0]: log name must be letters, digits, - and _ only")
            #expect(!FileSystem.exists(directory + "/logs"))
        }
    }

    @Test func logHandlerReportsADirectoryItCannotCreate() throws {
        try withTemporaryDirectory { directory in
            // A file where the logs folder should be: the append and the directory both fail, with the path.
            try FileSystem.write(Array("not a folder".utf8), to: directory + "/logs")
            let reply = LogHandler().handleNow(logLine("x", id: "m1"), context: HandlerContext(node: "central", dataDirectory: directory))
            #expect(reply.status == .error)
            #expect(reply.error?.contains(directory + "/logs") == true, "\(reply.error ?? "")")
        }
    }

    @Test func appendCreatingMakesTheMissingParentsOnly() throws {
        try withTemporaryDirectory { directory in
            let folder = directory + "/a/b"
            try FileSystem.append(Array("one\n".utf8), to: folder + "/f.txt", creating: folder)
            try FileSystem.append(Array("two\n".utf8), to: folder + "/f.txt", creating: folder)
            #expect(try String(contentsOfFile: folder + "/f.txt", encoding: .utf8) == "one\ntwo\n")
        }
    }

    @Test func theReceiverFindsTheImmediateHandlersAmongTheCentralOnes() throws {
        try withTemporaryDirectory { directory in
            let store = try Store(path: directory + "/state.db")
            let errors = ErrorReporter(node: "central", centralNode: "central", dataDirectory: directory, logger: .init(label: "test"))
            let handlers = CentralHandlers.make(store: store, errors: errors)
            let immediate = Set(handlers.filter { $0.value is any ImmediateMethodHandler }.keys)
            #expect(immediate == [.log, .errorLog])
        }
    }
}
