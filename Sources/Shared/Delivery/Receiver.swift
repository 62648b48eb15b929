import Logging

/// Takes every message addressed to this node off NATS, hands each to its method's handler in its own task,
/// and answers ACK-type messages with the result.
public final class Receiver: Sendable {
    private let connection: NATSConnection
    private let context: HandlerContext
    private let handlers: [Method: any MethodHandler]
    private let logger: Logger

    public init(
        connection: NATSConnection, context: HandlerContext, handlers: [Method: any MethodHandler], logger: Logger
    ) {
        self.connection = connection
        self.context = context
        self.handlers = handlers
        self.logger = logger
    }

    /// The methods this node answers.
    public var methods: [Method] { handlers.keys.sorted { $0.rawValue < $1.rawValue } }

    /// Receives until the task is cancelled.
    public func run() async throws {
        let subscription = try connection.subscribe(Subject.everything(for: context.node))
        logger.info("listening", metadata: ["subject": "\(Subject.everything(for: context.node))"])
        try await withThrowingDiscardingTaskGroup { group in
            for await inbound in subscription {
                group.addTask { await self.receive(inbound) }
            }
        }
    }

    private func receive(_ inbound: NATSMessage) async {
        guard let subject = Subject(parsing: inbound.subject) else {
            logger.warning("ignoring a message on a subject that is not Bosun's", metadata: ["subject": "\(inbound.subject)"])
            return
        }
        let message: Message
        do {
            message = try Message.decode(inbound.payload)
        } catch {
            logger.error("rejected a malformed message", metadata: ["subject": "\(inbound.subject)", "error": "\(error)"])
            answer(inbound, subject: subject, Reply(
                id: error.messageID ?? "", fromNode: context.node, status: .rejected, error: error.description))
            return
        }
        guard let handler = handlers[message.method] else {
            let offered = methods.map(\.rawValue).joined(separator: ", ")
            answer(inbound, subject: subject, context.reply(
                to: message, .rejected, error: "node \(context.node) does not offer method `\(message.method)` (it offers \(offered))"))
            return
        }
        let reply = await handler.handle(message, context: context)
        answer(inbound, subject: subject, reply)
    }

    private func answer(_ inbound: NATSMessage, subject: Subject, _ reply: Reply) {
        guard subject.messageType.wantsACK, let replyTo = inbound.replyTo else { return }
        do {
            try connection.publish(replyTo, payload: reply.encoded())
        } catch {
            logger.warning("could not send the ACK", metadata: ["id": "\(reply.id)", "error": "\(error)"])
        }
    }
}
