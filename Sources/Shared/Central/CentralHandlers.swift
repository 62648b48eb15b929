import Synchronization

/// The methods the central node answers for its fleet: liveness, the error log, forwarded logs, metrics.
public enum CentralHandlers {
    /// Handlers for a central node that keeps its state in `store`.
    public static func make(store: Store, errors: ErrorReporter) -> [Method: any MethodHandler] {
        [
            .hello: HelloHandler(store: store, errors: errors), .bye: ByeHandler(store: store),
            .errorLog: ErrorLogHandler(errors: errors), .log: LogHandler(), .metrics: MetricsHandler(),
        ]
    }
}

/// `hello`: records the node's facts and the time it was seen, and pins the key it signs with the first time.
/// A known node whose hello comes signed by another key raises an alarm at the error handler (once per key); the
/// pinned key stays until `bosun keys forget NODE`.
final class HelloHandler: MethodHandler {
    let store: Store
    let errors: ErrorReporter
    private let alarmed = Mutex<Set<String>>([])

    init(store: Store, errors: ErrorReporter) {
        self.store = store
        self.errors = errors
    }

    func handle(_ message: Message, context: HandlerContext) async -> Reply {
        guard let node = message.fromNode else { return context.reply(to: message, .rejected, error: "hello without fromNode") }
        let bytes = Array((message.data ?? "").utf8)
        let hello = Hello.decode(bytes)
        if let key = hello?.publicKey, message.signedBy == key, message.hasValidSignature {
            pin(key, for: node)
        }
        do {
            try store.recordHello(node: node, facts: hello == nil ? nil : bytes, helloInterval: hello?.helloInterval, at: .now)
            return context.reply(to: message, .ok)
        } catch {
            return context.reply(to: message, .error, error: "\(error)")
        }
    }
}

extension HelloHandler {
    private func pin(_ key: String, for node: String) {
        guard case .changed(let pinned) = (try? store.pinKey(node: node, key: key, at: .now)) ?? .same,
            alarmed.withLock({ $0.insert(node + " " + key).inserted })
        else { return }
        errors.report(ErrorRecord(node: node, kind: .node, error:
            "node \(node) now signs with key \(key), not the pinned \(pinned): not trusted (reinstalled? then run `bosun keys forget \(node)`)"))
    }
}

/// `bye`: a node stopping on purpose; it shows as down at once.
struct ByeHandler: MethodHandler {
    let store: Store

    func handle(_ message: Message, context: HandlerContext) async -> Reply {
        guard let node = message.fromNode else { return context.reply(to: message, .rejected, error: "bye without fromNode") }
        do {
            try store.recordBye(node: node, at: .now)
            return context.reply(to: message, .ok)
        } catch {
            return context.reply(to: message, .error, error: "\(error)")
        }
    }
}

/// `errorLog`: an error a node reports; appended to the central error log.
struct ErrorLogHandler: MethodHandler {
    let errors: ErrorReporter

    func handle(_ message: Message, context: HandlerContext) async -> Reply {
        let text = message.data ?? ""
        let record =
            (try? ErrorRecord.decode(Array(text.utf8)))
            ?? ErrorRecord(node: message.fromNode ?? "?", kind: .node, messageId: message.id, error: text)
        errors.append(record)
        return context.reply(to: message, .ok)
    }
}

/// `log`: appends the data lines to `<data-dir>/logs/<fromNode>/<name>.log`; `methodArgs[0]` is the name.
struct LogHandler: MethodHandler {
    func handle(_ message: Message, context: HandlerContext) async -> Reply {
        let name = message.methodArgs?.first ?? "default"
        guard let from = message.fromNode, NodeName.isValid(name) else {
            return context.reply(to: message, .rejected, error: "field `methodArgs`[0]: log name must be letters, digits, - and _ only")
        }
        let directory = "\(context.dataDirectory)/logs/\(from)"
        var bytes = Array((message.data ?? "").utf8)
        if bytes.last != UInt8(ascii: "\n") { bytes.append(UInt8(ascii: "\n")) }
        do {
            try FileSystem.makeDirectory(directory)
            try FileSystem.append(bytes, to: "\(directory)/\(name).log")
            return context.reply(to: message, .ok)
        } catch {
            return context.reply(to: message, .error, error: "\(error)")
        }
    }
}
