import Shared

/// What `bosun cancel` and `bosun retry` ask of the engine that carries a message, done by that engine.
enum MessageControl {
    enum Action: String, Codable, Sendable {
        case cancel
        case retry
    }

    /// The answer: whether it was done, and a line for the operator.
    struct Answer: Codable, Sendable, Equatable {
        var done: Bool
        var text: String
    }

    /// Does `action` to message `id` in `runtime`'s outbox.
    static func apply(_ action: Action, id: String, runtime: NodeRuntime) async -> Answer {
        guard let record = try? runtime.store.outboxRecord(id: id) else {
            return Answer(done: false, text: "no message \(id) in the outbox of \(runtime.configuration.dataDirectory)")
        }
        let node = record.message.toNode ?? ""
        guard !record.state.isFinal else {
            let hint = action == .retry ? "; bosun replay \(id) sends a copy under a new id" : ""
            return Answer(done: false, text: "message \(id) to \(node) is \(record.state.rawValue) already\(hint)")
        }
        switch action {
        case .retry:
            await runtime.outbox.retryNow(id: id)
            return Answer(done: true, text: "retrying message \(id) to \(node) now")
        case .cancel:
            // The engine may not carry it yet (it resumes the outbox a page at a time after a start): ask again.
            for _ in 0..<250 {
                if runtime.outbox.cancel(id: id) {
                    return Answer(done: true, text: "cancelled message \(id) to \(node)")
                }
                if let now = try? runtime.store.outboxRecord(id: id), now.state.isFinal {
                    return Answer(done: false, text: "message \(id) to \(node) is \(now.state.rawValue) already")
                }
                try? await Task.sleep(for: .milliseconds(20))
            }
            return Answer(done: false, text: "message \(id) to \(node) is not being carried yet; try again")
        }
    }
}
