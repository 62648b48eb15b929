import Shared

/// What `bosun cancel` and `bosun retry` ask of the engine that carries a message, done by that engine.
enum MessageControl {
    enum Action: String, Codable, Sendable {
        case cancel
        case retry
        /// The central node's key rotation (`bosun keys rotate`); the id is unused.
        case rotateKey
        /// `bosun keys retire KEY`: the id is the key.
        case retireKey
    }

    /// The answer: whether it was done, and a line for the operator.
    struct Answer: Codable, Sendable, Equatable {
        var done: Bool
        var text: String
    }

    /// Does `action` to message `id` in `runtime`'s outbox, or to its signing key.
    static func apply(_ action: Action, id: String, runtime: NodeRuntime) async -> Answer {
        switch action {
        case .rotateKey, .retireKey: return applyKeys(action, key: id, runtime: runtime)
        case .cancel, .retry: return await applyToMessage(action, id: id, runtime: runtime)
        }
    }

    private static func applyToMessage(_ action: Action, id: String, runtime: NodeRuntime) async -> Answer {
        guard let record = try? runtime.store.outboxRecord(id: id) else {
            return Answer(done: false, text: "no message \(id) in the outbox of \(runtime.configuration.dataDirectory)")
        }
        let node = record.message.toNode ?? ""
        guard !record.state.isFinal else {
            let hint = action == .retry ? "; bosun replay \(id) sends a copy under a new id" : ""
            return Answer(done: false, text: "message \(id) to \(node) is \(record.state.rawValue) already\(hint)")
        }
        if action == .retry {
            await runtime.outbox.retryNow(id: id)
            return Answer(done: true, text: "retrying message \(id) to \(node) now")
        }
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

    private static func applyKeys(_ action: Action, key: String, runtime: NodeRuntime) -> Answer {
        do {
            if action == .rotateKey {
                let rotation = try runtime.rotateKey()
                return Answer(done: true, text: """
                    signing with the new key \(rotation.newKey) (\(NodeKey.fingerprint(of: rotation.newKey) ?? "?")) from now on; \
                    sent it to \(rotation.nodes.count) node\(rotation.nodes.count == 1 ? "" : "s"), signed by the old key \
                    \(rotation.previousKey). Nodes that are down get it when they return: `bosun keys rotate --status` shows \
                    who has it; then `bosun keys retire \(rotation.previousKey)`.
                    """)
            }
            let nodes = try runtime.retireKey(key)
            return Answer(done: true, text: "retired \(key): \(nodes.count) node\(nodes.count == 1 ? "" : "s") told to stop trusting it")
        } catch {
            return Answer(done: false, text: "\(error)")
        }
    }
}
