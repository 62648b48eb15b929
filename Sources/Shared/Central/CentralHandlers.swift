import Synchronization

/// The methods the central node answers for its fleet: liveness, the error log, forwarded logs, metrics.
public enum CentralHandlers {
    /// Handlers for a central node that keeps its state in `store`; `trust` says whether new nodes are approved
    /// at once (`--auto-approve`) and whether unsigned hellos count (`--insecure-accept-unsigned`).
    public static func make(store: Store, errors: ErrorReporter, trust: TrustPolicy = TrustPolicy(pinsNodes: true))
        -> [Method: any MethodHandler]
    {
        [
            .hello: HelloHandler(store: store, errors: errors, trust: trust), .bye: ByeHandler(store: store, trust: trust),
            .errorLog: ErrorLogHandler(errors: errors), .log: LogHandler(), .metrics: MetricsHandler(),
        ]
    }
}

/// `hello`: a node's facts and the time it was seen, taken only under the node's key.
///
/// A node never seen before, whose hello is signed by the key it announces, is recorded as `pending` with its key
/// and facts until an operator runs `bosun nodes approve` (approved at once under `--auto-approve`). After that,
/// its hellos count only when signed by that key: one signed by another key raises an alarm at the error handler
/// (once per key) and is not recorded, unless the node proves the change with its old key (a rotation,
/// `bosun-agent --rotate-key`): then the new key replaces the old one without alarm.
final class HelloHandler: MethodHandler {
    let store: Store
    let errors: ErrorReporter
    let trust: TrustPolicy
    private let alarmed = Mutex<Set<String>>([])

    init(store: Store, errors: ErrorReporter, trust: TrustPolicy) {
        self.store = store
        self.errors = errors
        self.trust = trust
    }

    func handle(_ message: Message, context: HandlerContext) async -> Reply {
        guard let node = message.fromNode else { return context.reply(to: message, .rejected, error: "hello without fromNode") }
        let bytes = Array((message.data ?? "").utf8)
        let hello = Hello.decode(bytes)
        if let refusal = admit(hello, from: node, signer: message.signedBy) {
            return context.reply(to: message, .rejected, error: refusal)
        }
        // The node's key in the form its MAC'd ACKs are checked with, worked out now rather than in a fan-out.
        if let signer = message.signedBy { NodeKey.prepareAgreement(with: signer) }
        do {
            try store.recordHello(node: node, facts: hello == nil ? nil : bytes, helloInterval: hello?.helloInterval, at: .now)
            return context.reply(to: message, .ok)
        } catch {
            return context.reply(to: message, .error, error: "\(error)")
        }
    }

    /// Why the hello must not count, or nil; records a new node's key (pending, or approved at once).
    private func admit(_ hello: Hello?, from node: String, signer: String?) -> String? {
        guard let signer, let hello, hello.publicKey == signer else {
            return trust.acceptUnsigned ? nil : "a hello from \(node) that is not signed by the key it announces"
        }
        let record: Store.KeyRecord?
        do {
            record = try store.keyRecord(node: node)
        } catch {
            return "cannot read the key registry: \(error)"
        }
        guard let record else {
            let state: Store.KeyState = trust.autoApprove ? .approved : .pending
            _ = try? store.pinKey(node: node, key: signer, state: state, at: .now)
            if state == .pending {
                errors.report(ErrorRecord(node: node, kind: .node, error:
                    "node \(node) asks to join with key \(signer) (\(NodeKey.fingerprint(of: signer) ?? "?")): "
                    + "`bosun nodes approve \(node)` lets it in, `bosun nodes reject \(node)` keeps it out"))
            }
            return nil
        }
        if record.state == .rejected { return "node \(node) was rejected by the operator" }
        if record.publicKey == signer { return nil }
        if hello.proves(rotationFrom: record.publicKey, node: node) {
            do {
                try store.replaceKey(node: node, with: signer, at: .now)
            } catch {
                return "cannot record the new key of \(node): \(error)"
            }
            errors.report(ErrorRecord(node: node, kind: .node, error:
                "node \(node) rotated its key: now \(NodeKey.fingerprint(of: signer) ?? signer), proved by its previous key"))
            return nil
        }
        if alarmed.withLock({ $0.insert(node + " " + signer).inserted }) {
            errors.report(ErrorRecord(node: node, kind: .node, error:
                "node \(node) now signs with key \(signer), not its own \(record.publicKey): not trusted "
                + "(reinstalled? then run `bosun keys forget \(node)` and approve it again)"))
        }
        return "a hello from \(node) signed by a key that is not its own"
    }
}

/// `bye`: a node stopping on purpose; it shows as down at once. Taken only under the node's own key.
struct ByeHandler: MethodHandler {
    let store: Store
    let trust: TrustPolicy

    func handle(_ message: Message, context: HandlerContext) async -> Reply {
        guard let node = message.fromNode else { return context.reply(to: message, .rejected, error: "bye without fromNode") }
        if !trust.acceptUnsigned {
            guard let signer = message.signedBy, (try? store.keyRecord(node: node))?.publicKey == signer else {
                return context.reply(to: message, .rejected, error: "a bye from \(node) not signed by its key")
            }
        }
        do {
            try store.recordBye(node: node, at: .now)
            return context.reply(to: message, .ok)
        } catch {
            return context.reply(to: message, .error, error: "\(error)")
        }
    }
}

/// `errorLog`: an error a node reports; appended to the central error log.
struct ErrorLogHandler: ImmediateMethodHandler {
    let errors: ErrorReporter

    func handleNow(_ message: Message, context: HandlerContext) -> Reply {
        let text = message.data ?? ""
        let record =
            (try? ErrorRecord.decode(Array(text.utf8)))
            ?? ErrorRecord(node: message.fromNode ?? "?", kind: .node, messageId: message.id, error: text)
        errors.append(record)
        return context.reply(to: message, .ok)
    }
}

/// `log`: appends the data lines to `<data-dir>/logs/<fromNode>/<name>.log`; `methodArgs[0]` is the name.
struct LogHandler: ImmediateMethodHandler {
    func handleNow(_ message: Message, context: HandlerContext) -> Reply {
        let name = message.methodArgs?.first ?? "default"
        guard let from = message.fromNode, NodeName.isValid(name) else {
            return context.reply(to: message, .rejected, error: "field `methodArgs`[0]: log name must be letters, digits, - and _ only")
        }
        let directory = "\(context.dataDirectory)/logs/\(from)"
        var bytes = Array((message.data ?? "").utf8)
        if bytes.last != UInt8(ascii: "\n") { bytes.append(UInt8(ascii: "\n")) }
        do {
            try FileSystem.append(bytes, to: "\(directory)/\(name).log", creating: directory)
            return context.reply(to: message, .ok)
        } catch {
            return context.reply(to: message, .error, error: "\(error)")
        }
    }
}
