import ArgumentParser
import Foundation
import Shared

/// `bosun cancel` and `bosun retry` reach the engine that carries the message: the one they start, or the one
/// already running on the data directory (through `<data-dir>/control/`).
enum EngineControl {
    /// Asks the carrier's engine to do `action` to `id`; this process's engine (if it started one) runs meanwhile.
    static func request(_ action: MessageControl.Action, id: String, carrier: SendCarrier) async throws
        -> MessageControl.Answer
    {
        try await request(action, ids: [id], carrier: carrier)[0]
    }

    /// The same for several messages at once (an operation's); the answers in the order of `ids`.
    static func request(_ action: MessageControl.Action, ids: [String], carrier: SendCarrier) async throws
        -> [MessageControl.Answer]
    {
        switch carrier {
        case .own(let runtime):
            return try await withThrowingTaskGroup(of: [MessageControl.Answer]?.self) { group in
                group.addTask {
                    try await runtime.run()
                    return nil
                }
                group.addTask {
                    var answers: [MessageControl.Answer] = []
                    for id in ids { answers.append(await MessageControl.apply(action, id: id, runtime: runtime)) }
                    return answers
                }
                defer { group.cancelAll() }
                while let answers = try await group.next() {
                    if let answers { return answers }
                }
                throw CancellationError()
            }
        case .running(_, let dataDirectory):
            return try await ask(action, ids: ids, dataDirectory: dataDirectory)
        }
    }

    /// Drops one request per message into `control/`, then collects the answers the engine writes.
    private static func ask(_ action: MessageControl.Action, ids: [String], dataDirectory: String) async throws
        -> [MessageControl.Answer]
    {
        let directory = dataDirectory + "/" + ControlInbox.folder
        try FileSystem.makeDirectory(directory)
        var names: [String] = []
        for id in ids {
            let name = MessageID.make()
            let request = try JSONEncoder().encode(ControlInbox.Request(action: action, id: id))
            // Written beside the folder's name pattern, then renamed in: never read half-written.
            try request.write(to: URL(fileURLWithPath: directory + "/\(name).tmp"))
            try FileManager.default.moveItem(atPath: directory + "/\(name).tmp", toPath: directory + "/\(name).json")
            names.append(name)
        }
        var answers: [String: MessageControl.Answer] = [:]
        let deadline = ContinuousClock.now + .seconds(15)
        while answers.count < names.count, ContinuousClock.now < deadline {
            for name in names where answers[name] == nil {
                let path = directory + "/\(name).answer"
                guard let data = FileManager.default.contents(atPath: path),
                    let answer = try? JSONDecoder().decode(MessageControl.Answer.self, from: data)
                else { continue }
                try? FileManager.default.removeItem(atPath: path)
                answers[name] = answer
            }
            if answers.count < names.count { try await Task.sleep(for: .milliseconds(50)) }
        }
        guard answers.count == names.count else {
            for name in names where answers[name] == nil {
                try? FileManager.default.removeItem(atPath: directory + "/\(name).json")
            }
            FileHandle.standardError.write(
                "bosun: the engine running on \(dataDirectory) did not answer within 15 s (is it an older bosun?)\n")
            throw ExitCode(ExitStatus.unavailable)
        }
        return names.map { answers[$0]! }
    }
}
