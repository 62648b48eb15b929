import Shared

/// Carries out what the operator asks in the console, on the central node's engine, and says how it went on
/// the flash line.
struct ConsoleEngine: Sendable {
    let runtime: NodeRuntime
    let post: @Sendable (ConsoleEvent) -> Void
    /// Reads the logs the Logs view shows.
    var logs: LogFollower? = nil

    func perform(_ action: ConsoleAction) async {
        switch action {
        case .send(let text, let toNodes): send(text, to: toNodes)
        case .retry(let id): await retry(id)
        case .cancel(let id):
            if !runtime.outbox.cancel(id: id) { post(.flashError("\(ShortID.of(id)) is not pending any more")) }
        case .replay(let id): replay(id)
        case .followLogs(let node, let name): logs?.follow(node, name: name)
        case .controlRollout(let operation, let request):
            do {
                let text = try RolloutControl.ask(
                    request, operation: operation, dataDirectory: runtime.configuration.dataDirectory)
                post(.flash(text))
            } catch {
                post(.flashError("\(error)"))
            }
        case .approveNode(let node):
            do {
                guard let record = try runtime.store.decide(node: node, .approved, at: .now) else {
                    return post(.flashError("\(node) has no key on record"))
                }
                post(.flash("approved \(node) (key \(NodeKey.fingerprint(of: record.publicKey) ?? record.publicKey))"))
            } catch {
                post(.flashError("cannot approve \(node): \(error)"))
            }
        case .copy, .quit: break
        }
    }

    /// One accepted message per node, through the same path as inmsg.txt and `bosun send`.
    private func send(_ text: String, to nodes: [String]) {
        do {
            let records = try runtime.accept([ComposeMessage.draft(text: text, toNodes: nodes)])
            let ids = records.map { ShortID.of($0.id) }.joined(separator: " ")
            post(.flash("accepted \(ids): \(text) \(records.count == 1 ? "→ \(nodes[0])" : "to \(records.count) nodes")"))
        } catch {
            post(.flashError("not sent: \(error)"))
        }
    }

    private func retry(_ id: String) async {
        guard let record = try? runtime.store.outboxRecord(id: id), !record.state.isFinal else {
            post(.flashError("\(ShortID.of(id)) is final; p sends a copy"))
            return
        }
        await runtime.outbox.retryNow(id: id)
    }

    /// A copy of the message as it was accepted (from the journal), under a new id.
    private func replay(_ id: String) {
        guard var message = runtime.journal.acceptedMessage(id: id) else {
            post(.flashError("\(ShortID.of(id)) is not in the journal; cannot replay it"))
            return
        }
        message.id = MessageID.make()
        message.createdAt = nil
        do {
            let record = try runtime.accept([message])[0]
            post(.flash("replayed \(ShortID.of(id)) as \(ShortID.of(record.id))"))
        } catch {
            post(.flashError("replay of \(ShortID.of(id)) failed: \(error)"))
        }
    }
}
