import ArgumentParser
import Foundation
import Shared

/// `bosun cancel` and `bosun retry` reach the engine that carries the message: the one they start, or the one
/// already running on the data directory (through `<data-dir>/control/`).
enum EngineControl {
    /// Asks the carrier's engine to do `action` to `id`; while `body` runs, this process's engine (if it started
    /// one) runs too.
    static func request(_ action: MessageControl.Action, id: String, carrier: SendCarrier) async throws
        -> MessageControl.Answer
    {
        switch carrier {
        case .own(let runtime):
            return try await withThrowingTaskGroup(of: MessageControl.Answer?.self) { group in
                group.addTask {
                    try await runtime.run()
                    return nil
                }
                group.addTask { await MessageControl.apply(action, id: id, runtime: runtime) }
                defer { group.cancelAll() }
                while let answer = try await group.next() {
                    if let answer { return answer }
                }
                throw CancellationError()
            }
        case .running(_, let dataDirectory):
            return try await ask(action, id: id, dataDirectory: dataDirectory)
        }
    }

    private static func ask(_ action: MessageControl.Action, id: String, dataDirectory: String) async throws
        -> MessageControl.Answer
    {
        let directory = dataDirectory + "/" + ControlInbox.folder
        try FileSystem.makeDirectory(directory)
        let name = MessageID.make()
        let request = try JSONEncoder().encode(ControlInbox.Request(action: action, id: id))
        // Written beside the folder's name pattern, then renamed in: never read half-written.
        try request.write(to: URL(fileURLWithPath: directory + "/\(name).tmp"))
        try FileManager.default.moveItem(atPath: directory + "/\(name).tmp", toPath: directory + "/\(name).json")
        let answerPath = directory + "/\(name).answer"
        let deadline = ContinuousClock.now + .seconds(15)
        while ContinuousClock.now < deadline {
            if let data = FileManager.default.contents(atPath: answerPath),
                let answer = try? JSONDecoder().decode(MessageControl.Answer.self, from: data)
            {
                try? FileManager.default.removeItem(atPath: answerPath)
                return answer
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        try? FileManager.default.removeItem(atPath: directory + "/\(name).json")
        FileHandle.standardError.write(
            "bosun: the engine running on \(dataDirectory) did not answer within 15 s (is it an older bosun?)\n")
        throw ExitCode(ExitStatus.unavailable)
    }
}
