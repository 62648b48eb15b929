import CNATS

/// JetStream on a ``NATSConnection``: streams, publishing with the stream's acknowledgement, and reading a node's
/// mailbox (``JetStream/orderedReader(stream:subject:after:)`` and ``JetStream/durableReader(stream:node:)``).
///
/// Every libnats JetStream call blocks its thread until the server answers, so each runs off the cooperative pool.
public final class JetStream: Sendable {
    public let connection: NATSConnection
    let context: JetStreamContextHandle
    /// How long one API call or publish waits for the server's answer.
    public let apiTimeout: Duration

    public init(connection: NATSConnection, apiTimeout: Duration = .seconds(5)) throws(JetStreamError) {
        self.connection = connection
        self.apiTimeout = apiTimeout
        var options = jsOptions()
        jsOptions_Init(&options)
        options.Wait = Int64(apiTimeout.seconds * 1000)
        var context: OpaquePointer?
        try checkJetStream(natsConnection_JetStream(&context, connection.handle.pointer, &options), jsErrCode(0),
            "opening JetStream")
        guard let context else { throw JetStreamError(.failed, "opening JetStream: no context") }
        self.context = JetStreamContextHandle(context)
    }

    /// Creates the stream, or brings an existing one to `configuration` (subjects, age, replicas, window).
    ///
    /// While the cluster elects its metadata leader (just started, or a server lost) the server answers
    /// "temporarily unavailable" or "no suitable peers": that is tried again until `retryFor` has passed.
    @discardableResult
    public func ensureStream(_ configuration: JetStreamStreamConfiguration, retryFor: Duration = .seconds(30))
        async throws(JetStreamError) -> JetStreamStreamState
    {
        try await retrying(for: retryFor) { () throws(JetStreamError) in
            let context = self.context
            return try await runBlocking { () -> Result<JetStreamStreamState, JetStreamError> in
                Result { () throws(JetStreamError) in try configuration.withC { (config) throws(JetStreamError) in
                    var info: UnsafeMutablePointer<jsStreamInfo>?
                    var code = jsErrCode(0)
                    var status = js_AddStream(&info, context.pointer, &config, nil, &code)
                    if status != NATS_OK, code == JSStreamNameExistErr {
                        status = js_UpdateStream(&info, context.pointer, &config, nil, &code)
                    }
                    defer { if let info { jsStreamInfo_Destroy(info) } }
                    try checkJetStream(status, code, "creating stream \(configuration.name)")
                    return JetStreamStreamState(info?.pointee.State)
                } }
            }.get()
        }
    }

    /// The stream's current state: messages, bytes, first and last sequence, consumers.
    public func streamState(_ name: String) async throws(JetStreamError) -> JetStreamStreamState {
        let context = self.context
        return try await runBlocking { () -> Result<JetStreamStreamState, JetStreamError> in
            var info: UnsafeMutablePointer<jsStreamInfo>?
            var code = jsErrCode(0)
            let status = js_GetStreamInfo(&info, context.pointer, name, nil, &code)
            defer { if let info { jsStreamInfo_Destroy(info) } }
            return Result { () throws(JetStreamError) in
                try checkJetStream(status, code, "reading stream \(name)")
                return JetStreamStreamState(info?.pointee.State)
            }
        }.get()
    }

    /// Deletes a stream and everything in it.
    public func deleteStream(_ name: String) async throws(JetStreamError) {
        let context = self.context
        try await runBlocking { () -> Result<Void, JetStreamError> in
            var code = jsErrCode(0)
            let status = js_DeleteStream(context.pointer, name, nil, &code)
            return Result { () throws(JetStreamError) in try checkJetStream(status, code, "deleting stream \(name)") }
        }.get()
    }

    /// Runs `body` until it succeeds or fails with something other than a passing unavailability, for `duration`.
    func retrying<T>(for duration: Duration, _ body: () async throws(JetStreamError) -> T) async throws(JetStreamError)
        -> T
    {
        let deadline = ContinuousClock.now + duration
        while true {
            do throws(JetStreamError) {
                return try await body()
            } catch where error.code == .unavailable && ContinuousClock.now < deadline {
                try? await Task.sleep(for: .milliseconds(250))
            }
        }
    }
}

/// A stream's state as the server reported it.
public struct JetStreamStreamState: Sendable, Equatable {
    public var messages: UInt64 = 0
    public var bytes: UInt64 = 0
    public var firstSequence: UInt64 = 0
    public var lastSequence: UInt64 = 0
    public var consumers: Int = 0

    init(_ state: jsStreamState?) {
        guard let state else { return }
        messages = state.Msgs
        bytes = state.Bytes
        firstSequence = state.FirstSeq
        lastSequence = state.LastSeq
        consumers = Int(state.Consumers)
    }
}

/// A libnats JetStream context. Thread-safe like its connection.
final class JetStreamContextHandle: @unchecked Sendable {
    let pointer: OpaquePointer
    init(_ pointer: OpaquePointer) { self.pointer = pointer }
    deinit { jsCtx_Destroy(pointer) }
}

extension JetStreamStreamConfiguration {
    /// Calls `body` with the libnats form of the configuration; its strings live for the call.
    func withC<R>(_ body: (inout jsStreamConfig) throws(JetStreamError) -> R) throws(JetStreamError) -> R {
        try withCStrings([name] + subjects) { (strings: inout [UnsafePointer<CChar>?]) throws(JetStreamError) -> R in
            var config = jsStreamConfig()
            jsStreamConfig_Init(&config)
            config.Name = strings[0]
            var subjectPointers = Array(strings.dropFirst())
            return try subjectPointers.withUnsafeMutableBufferPointer {
                (subjectBuffer) throws(JetStreamError) -> R in
                config.Subjects = subjectBuffer.baseAddress
                config.SubjectsLen = Int32(subjectBuffer.count)
                config.Storage = js_FileStorage
                config.Retention = js_LimitsPolicy
                config.Discard = js_DiscardOld
                config.Replicas = Int64(replicas)
                config.MaxAge = Int64(maxAge.seconds * 1e9)
                config.Duplicates = Int64(duplicateWindow.seconds * 1e9)
                return try body(&config)
            }
        }
    }
}
