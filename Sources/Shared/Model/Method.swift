/// What the receiver does with a message. Known methods carry their default message type;
/// any other name is carried as is, and the receiver rejects it if it does not offer it.
public struct Method: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    public static let cliCommand = Method(rawValue: "cliCommand")
    public static let cliCommandCont = Method(rawValue: "cliCommandCont")
    public static let ping = Method(rawValue: "ping")
    public static let hello = Method(rawValue: "hello")
    public static let bye = Method(rawValue: "bye")
    public static let log = Method(rawValue: "log")
    public static let errorLog = Method(rawValue: "errorLog")
    public static let fileWrite = Method(rawValue: "fileWrite")
    public static let fileAppend = Method(rawValue: "fileAppend")
    public static let fileRead = Method(rawValue: "fileRead")
    public static let httpGet = Method(rawValue: "httpGet")
    public static let tailFile = Method(rawValue: "tailFile")
    public static let copy = Method(rawValue: "copy")
    public static let status = Method(rawValue: "status")
    /// Changes the keys a node trusts: `["add", KEY]` or `["revoke", KEY]` (a central key rotation).
    public static let trustKey = Method(rawValue: "trustKey")
    /// A result that came after the ACK, sent back to the original sender (``HandlerContext/sendResult(_:of:)``).
    public static let result = Method(rawValue: "result")
    /// Output of a running command, sent back to the original sender as it appears.
    public static let output = Method(rawValue: "output")
    /// One piece of a file that `copy` sends from node to node.
    public static let copyChunk = Method(rawValue: "copyChunk")
    /// A sample of a node's metrics (CPU, memory, disks, …) for the central node's metrics store.
    public static let metrics = Method(rawValue: "metrics")

    /// The methods Bosun knows, in the order they are documented.
    public static let known: [Method] = [
        .cliCommand, .cliCommandCont, .ping, .hello, .bye, .log, .errorLog, .fileWrite, .fileAppend,
        .fileRead, .httpGet, .tailFile, .copy, .status, .result, .output, .copyChunk, .metrics, .trustKey,
    ]

    /// Methods whose run may be cut off and run again with the same effect (writing the same bytes to the same
    /// place): after a crash the receiver runs them again instead of answering `interrupted`. A metrics sample is
    /// stored once per node, metric and time whatever the number of runs; answered `interrupted` it was lost.
    public static let rerunnable: Set<Method> = [.ping, .status, .fileWrite, .copyChunk, .result, .trustKey, .metrics]

    /// Methods that, queued while their node was away (or across a restart of the sender), run one after another
    /// in acceptance order when it is back, each after the previous one's ACK, as if sent to a live node.
    public static let drainedInOrder: Set<Method> = [.cliCommand, .cliCommandCont, .fileWrite, .fileAppend, .copy]

    /// Methods whose messages from one sender are finished in the order they arrive, per stream (see
    /// ``Message/streamKey``); others run concurrently.
    public static let streams: Set<Method> = [.log, .errorLog, .fileAppend, .output, .copyChunk]

    /// The message type used when a message does not name one.
    public var defaultMessageType: MessageType {
        switch self {
        case .hello, .bye: return .eventNACK
        case .log, .errorLog, .fileWrite, .fileAppend, .httpGet, .result, .output, .copyChunk, .metrics: return .eventACK
        default: return .commandACK
        }
    }

    public var description: String { rawValue }
}
