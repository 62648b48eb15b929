import Logging
import Synchronization

/// The way to the central error handler.
///
/// On the central node an error is appended to `<data-dir>/errors.jsonl`; on any other node it becomes an
/// `errorLog` message to the central node, through the outbox, so it arrives even after an outage.
public final class ErrorReporter: Sendable {
    private let node: String
    private let centralNode: String
    private let errorLogPath: String
    private let logger: Logger
    private let outbox = Mutex<Outbox?>(nil)

    public init(node: String, centralNode: String, dataDirectory: String, logger: Logger) {
        self.node = node
        self.centralNode = centralNode
        self.errorLogPath = dataDirectory + "/errors.jsonl"
        self.logger = logger
    }

    /// Whether this node keeps the error log itself.
    public var isCentral: Bool { node == centralNode }

    /// Connects the reporter to the outbox that carries reports to the central node.
    public func attach(_ outbox: Outbox) {
        self.outbox.withLock { $0 = outbox }
    }

    /// Reports an error. Never throws: a report that cannot be made is logged.
    public func report(_ record: ErrorRecord) {
        logger.error("\(record.error)", metadata: ["kind": "\(record.kind.rawValue)", "id": "\(record.messageId ?? "-")"])
        if isCentral {
            append(record)
            return
        }
        // A failing errorLog message must not report itself, or one outage would loop forever.
        guard record.method != Method.errorLog.rawValue, let outbox = outbox.withLock({ $0 }) else { return }
        let message = Message(
            toNode: centralNode, method: .errorLog, data: String(decoding: record.encoded(), as: UTF8.self))
        do {
            try outbox.accept([message])
        } catch {
            logger.error("cannot queue the error report for \(centralNode): \(error)")
        }
    }

    /// Appends a record to this node's error log (the central node's errors.jsonl).
    public func append(_ record: ErrorRecord) {
        do {
            try FileSystem.append(record.encoded() + [UInt8(ascii: "\n")], to: errorLogPath)
        } catch {
            logger.error("cannot write \(errorLogPath): \(error)")
        }
    }

    /// Every entry of an error log file, oldest first; unreadable lines are skipped.
    public static func entries(dataDirectory: String) -> [ErrorRecord] {
        guard let bytes = try? FileSystem.read(dataDirectory + "/errors.jsonl") else { return [] }
        return bytes.split(separator: UInt8(ascii: "\n")).compactMap { try? ErrorRecord.decode($0) }
    }
}
