import Foundation
import Shared

/// The running engine's side of `bosun cancel` and `bosun retry`: requests dropped in `<data-dir>/control/`
/// (`<name>.json`: `{"action": "cancel", "id": "…"}`), each answered in `<name>.answer` and then removed.
struct ControlInbox: Sendable {
    let runtime: NodeRuntime

    var directory: String { runtime.configuration.dataDirectory + "/" + Self.folder }
    static let folder = "control"

    struct Request: Codable, Sendable {
        var action: MessageControl.Action
        var id: String
    }

    /// Answers requests until cancelled: when a request lands (inotify), or every second where inotify cannot
    /// watch the folder.
    func run() async {
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        await answerPending()
        guard let watch = DirectoryWatch(directories: [directory], events: UInt32(IN_CLOSE_WRITE | IN_MOVED_TO)) else {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                await answerPending()
            }
            return
        }
        await withTaskCancellationHandler {
            for await names in watch.changes where names.contains(where: { $0.hasSuffix(".json") }) {
                await answerPending()
            }
        } onCancel: {
            watch.cancel()
        }
    }

    private func answerPending() async {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for name in names.sorted() where name.hasSuffix(".json") {
            let path = directory + "/" + name
            let answer: MessageControl.Answer
            if let data = FileManager.default.contents(atPath: path),
                let request = try? JSONDecoder().decode(Request.self, from: data)
            {
                answer = await MessageControl.apply(request.action, id: request.id, runtime: runtime)
            } else {
                answer = MessageControl.Answer(
                    done: false, text: "\(path): not a request ({\"action\": \"cancel\", \"id\": …})")
            }
            let answerPath = String(path.dropLast(".json".count)) + ".answer"
            try? JSONEncoder().encode(answer).write(to: URL(fileURLWithPath: answerPath + ".tmp"))
            try? FileManager.default.moveItem(atPath: answerPath + ".tmp", toPath: answerPath)
            try? FileManager.default.removeItem(atPath: path)
        }
    }
}
