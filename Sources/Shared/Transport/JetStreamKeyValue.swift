import CNATS

/// A JetStream key-value bucket (libnats `kvStore_*`): the latest value of each key, replicated like a stream,
/// and a watch that gives every current value and then each change.
public final class JetStreamKeyValue: Sendable {
    let store: KeyValueHandle
    public let bucket: String

    init(store: KeyValueHandle, bucket: String) {
        self.store = store
        self.bucket = bucket
    }

    /// Stores `value` as `key`'s latest; returns its revision.
    @discardableResult
    public func put(_ key: String, _ value: [UInt8]) async throws(JetStreamError) -> UInt64 {
        let store = self.store
        return try await runBlocking { () -> Result<UInt64, JetStreamError> in
            var revision: UInt64 = 0
            let status = value.withUnsafeBytes { kvStore_Put(&revision, store.pointer, key, $0.baseAddress, Int32($0.count)) }
            return Result { () throws(JetStreamError) in
                try checkJetStream(status, jsErrCode(0), "storing \(key) in bucket \(self.bucket)")
                return revision
            }
        }.get()
    }

    /// Every key's current value, then each new value as it is put, until the task is cancelled. Deleted keys are
    /// left out.
    public func watchAll() -> AsyncThrowingStream<KeyValueEntry, any Error> {
        let store = self.store
        let bucket = self.bucket
        return AsyncThrowingStream { continuation in
            let watcher = Task {
                let created = await runBlocking { () -> Result<KeyValueWatcherHandle, JetStreamError> in
                    var options = kvWatchOptions()
                    kvWatchOptions_Init(&options)
                    options.IgnoreDeletes = true
                    var watcher: OpaquePointer?
                    let status = kvStore_WatchAll(&watcher, store.pointer, &options)
                    return Result { () throws(JetStreamError) in
                        try checkJetStream(status, jsErrCode(0), "watching bucket \(bucket)")
                        guard let watcher else { throw JetStreamError(.failed, "watching bucket \(bucket): no watcher") }
                        return KeyValueWatcherHandle(watcher)
                    }
                }
                let handle: KeyValueWatcherHandle
                switch created {
                case .success(let made): handle = made
                case .failure(let error):
                    continuation.finish(throwing: error)
                    return
                }
                while !Task.isCancelled {
                    let next = await runBlocking { () -> Result<KeyValueEntry?, JetStreamError> in
                        var entry: OpaquePointer?
                        let status = kvWatcher_Next(&entry, handle.pointer, 1000)
                        defer { if let entry { kvEntry_Destroy(entry) } }
                        // A timeout is a quiet second; a nil entry marks the end of the current values.
                        if status == NATS_TIMEOUT { return .success(nil) }
                        return Result { () throws(JetStreamError) in
                            try checkJetStream(status, jsErrCode(0), "watching bucket \(bucket)")
                            return entry.map(KeyValueEntry.init(copying:))
                        }
                    }
                    switch next {
                    case .success(let entry?): continuation.yield(entry)
                    case .success(nil): continue
                    case .failure(let error):
                        if !Task.isCancelled { continuation.finish(throwing: error) }
                        return
                    }
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in watcher.cancel() }
        }
    }
}

/// One key's value in a bucket, copied out of libnats.
public struct KeyValueEntry: Sendable, Equatable {
    public var key: String
    public var value: [UInt8]
    public var revision: UInt64

    init(copying entry: OpaquePointer) {
        key = String(cString: kvEntry_Key(entry))
        let length = Int(kvEntry_ValueLen(entry))
        if length > 0, let bytes = kvEntry_Value(entry) {
            value = Array(UnsafeRawBufferPointer(start: bytes, count: length))
        } else {
            value = []
        }
        revision = kvEntry_Revision(entry)
    }
}

extension JetStream {
    /// Creates the bucket (or opens it as it is) with `replicas` copies, keeping the latest value of each key.
    public func keyValue(bucket: String, replicas: Int, retryFor: Duration = .seconds(30)) async throws(JetStreamError)
        -> JetStreamKeyValue
    {
        try await retrying(for: retryFor) { () throws(JetStreamError) in
            let context = self.context
            return try await runBlocking { () -> Result<JetStreamKeyValue, JetStreamError> in
                var config = kvConfig()
                kvConfig_Init(&config)
                var store: OpaquePointer?
                let status = bucket.withCString { name in
                    config.Bucket = name
                    config.History = 1
                    config.Replicas = Int32(replicas)
                    config.StorageType = js_FileStorage
                    return js_CreateKeyValue(&store, context.pointer, &config)
                }
                return Result { () throws(JetStreamError) in
                    try checkJetStream(status, jsErrCode(0), "creating bucket \(bucket)")
                    guard let store else { throw JetStreamError(.failed, "creating bucket \(bucket): no store") }
                    return JetStreamKeyValue(store: KeyValueHandle(store), bucket: bucket)
                }
            }.get()
        }
    }
}

/// A libnats key-value store. Thread-safe like its JetStream context.
final class KeyValueHandle: @unchecked Sendable {
    let pointer: OpaquePointer
    init(_ pointer: OpaquePointer) { self.pointer = pointer }
    deinit { kvStore_Destroy(pointer) }
}

/// A libnats key-value watcher: stopped and destroyed with its last reference.
final class KeyValueWatcherHandle: @unchecked Sendable {
    let pointer: OpaquePointer
    init(_ pointer: OpaquePointer) { self.pointer = pointer }
    deinit {
        kvWatcher_Stop(pointer)
        kvWatcher_Destroy(pointer)
    }
}
