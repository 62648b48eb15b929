/// The methods every node answers for its own messages: results and output that come back after the ACK.
enum ReplyHandlers {
    static func make(store: Store, journal: Journal, outbox: Outbox) -> [Method: any MethodHandler] {
        [.result: ResultHandler(store: store, journal: journal, outbox: outbox), .output: OutputHandler(journal: journal)]
    }
}

/// `result`: stores a later result (`data`, an ACK's JSON) as the result of this node's message `methodArgs[0]`,
/// beside its ACK (``OutboxRecord/result``).
struct ResultHandler: MethodHandler {
    let store: Store
    let journal: Journal
    let outbox: Outbox

    func handle(_ message: Message, context: HandlerContext) async -> Reply {
        guard let id = message.methodArgs?.first else {
            return context.reply(to: message, .rejected, error: "field `methodArgs`[0]: the id of the message this is the result of")
        }
        let result: Reply
        do {
            result = try Reply.decode(Array((message.data ?? "").utf8))
        } catch {
            return context.reply(to: message, .rejected, error: "field `data`: \(error)")
        }
        do {
            guard let record = try store.setOutboxResult(id: id, result: result, now: .now) else {
                return context.reply(to: message, .rejected, error: "field `methodArgs`[0]: no message \(id) in the outbox of \(context.node)")
            }
            journal.append(Journal.Entry(event: .result, id: id, node: message.fromNode, reply: result))
            outbox.notify(record)
            return context.reply(to: message, .ok)
        } catch {
            return context.reply(to: message, .error, error: "\(error)")
        }
    }
}

/// `output`: appends output of this node's message `methodArgs[0]` (stream `methodArgs[1]`) as it comes, to
/// `<data-dir>/output/<id>.stdout` or `.stderr`; the final ACK still carries the whole (up to its cap).
struct OutputHandler: ImmediateMethodHandler {
    let journal: Journal

    func handleNow(_ message: Message, context: HandlerContext) -> Reply {
        let arguments = message.methodArgs ?? []
        guard arguments.count == 2, let stream = HandlerContext.OutputStream(rawValue: arguments[1]),
            NodeName.isValid(arguments[0])
        else {
            return context.reply(to: message, .rejected, error: "field `methodArgs`: expected [id, \"stdout\" or \"stderr\"]")
        }
        let id = arguments[0]
        do {
            try FileSystem.append(
                Array((message.data ?? "").utf8), to: "\(context.dataDirectory)/output/\(id).\(stream.rawValue)",
                creating: context.dataDirectory + "/output")
        } catch {
            return context.reply(to: message, .error, error: "\(error)")
        }
        journal.append(Journal.Entry(event: .output, id: id, node: message.fromNode))
        return context.reply(to: message, .ok)
    }
}
