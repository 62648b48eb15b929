import Shared

/// A method whose arguments are checked before anything runs.
///
/// `check` sees only the message (and what the agent allows); `run` gets what `check` returned, so a method
/// cannot act on an argument it did not check.
protocol CheckedMethod: Sendable {
    associatedtype Arguments: Sendable
    func check(_ message: Message, context: HandlerContext) throws(ArgumentError) -> Arguments
    func run(_ arguments: Arguments, message: Message, context: HandlerContext) async -> Reply
}

/// Runs a ``CheckedMethod``: bad arguments get a `rejected` reply naming the argument and an entry at the
/// central error handler, and nothing runs.
struct Checked<Checking: CheckedMethod>: MethodHandler {
    let method: Checking
    let errors: ErrorReporter

    init(_ method: Checking, errors: ErrorReporter) {
        self.method = method
        self.errors = errors
    }

    func handle(_ message: Message, context: HandlerContext) async -> Reply {
        let arguments: Checking.Arguments
        do {
            arguments = try method.check(message, context: context)
        } catch {
            return reject(message, error, context: context)
        }
        return await method.run(arguments, message: message, context: context)
    }

    private func reject(_ message: Message, _ error: ArgumentError, context: HandlerContext) -> Reply {
        let id = message.id ?? ""
        errors.report(
            ErrorRecord(
                node: context.node, kind: .rejected, messageId: id.isEmpty ? nil : id, method: message.method.rawValue,
                toNode: context.node,
                error: "rejected \(message.method) message \(id) from \(message.fromNode ?? "?"): \(error)"))
        return context.reply(to: message, .rejected, error: error.description)
    }
}

/// A ``CheckedMethod`` whose run is brief and never waits (``ImmediateMethodHandler``): the receiver runs it where
/// the message is, without a task of its own.
protocol ImmediateCheckedMethod: CheckedMethod {
    func runNow(_ arguments: Arguments, message: Message, context: HandlerContext) -> Reply
}

extension ImmediateCheckedMethod {
    func run(_ arguments: Arguments, message: Message, context: HandlerContext) async -> Reply {
        runNow(arguments, message: message, context: context)
    }
}

extension Checked: ImmediateMethodHandler where Checking: ImmediateCheckedMethod {
    func handleNow(_ message: Message, context: HandlerContext) -> Reply {
        do {
            return method.runNow(try method.check(message, context: context), message: message, context: context)
        } catch {
            return reject(message, error, context: context)
        }
    }
}
