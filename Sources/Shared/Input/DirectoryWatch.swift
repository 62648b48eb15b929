import Dispatch
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Tells which files changed in some directories, through inotify: the reader wakes when the kernel queues an
/// event, and nothing runs while nothing changes.
///
/// Every watch of a process shares one inotify instance (``Inotify``): the system allows a user 128 instances,
/// and a machine running many nodes (or a test suite) would otherwise run out and fall back to polling. Watches
/// of the same directory share its events: a watch may hear of a kind of change another watch asked for.
public final class DirectoryWatch: Sendable {
    private let signal: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation
    /// Names with an event that the reader has not taken yet.
    private let pending = PendingNames()
    private let descriptors: [Int32]
    private let token: UInt64

    /// Nil when inotify cannot watch every directory (it is missing, a directory does not exist, or the
    /// system's inotify limits are reached): the caller falls back to polling.
    public init?(directories: [String], events mask: UInt32) {
        (signal, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let (pending, continuation) = (pending, continuation)
        guard let (token, descriptors) = Inotify.shared?.watch(directories, mask: mask, deliver: { names in
            pending.names.withLock { $0.formUnion(names) }
            continuation.yield()
        }) else { return nil }
        self.token = token
        self.descriptors = descriptors
    }

    /// The names (without their directory) with an event since the previous element; a burst comes as one.
    /// Ends when the watch is cancelled.
    public var changes: AsyncMapSequence<AsyncStream<Void>, Set<String>> {
        signal.map { [pending] in pending.names.withLock { names in
            defer { names = [] }
            return names
        } }
    }

    deinit { Inotify.shared?.unwatch(token, descriptors) }

    /// Stops watching; ``changes`` ends.
    public func cancel() {
        Inotify.shared?.unwatch(token, descriptors)
        continuation.finish()
    }

    private final class PendingNames: Sendable {
        let names = Mutex(Set<String>())
    }
}

/// The process's one inotify instance: watch descriptors shared by every ``DirectoryWatch`` of the same directory
/// (their event masks added together), events read by one Dispatch source and handed to the watches of their
/// directory.
final class Inotify: Sendable {
    static let shared = Inotify()

    private struct Watchers {
        /// Per watch descriptor: who listens, by token.
        var listeners: [Int32: [UInt64: @Sendable (Set<String>) -> Void]] = [:]
        var nextToken: UInt64 = 0
    }

    private let fd: Int32
    private let watchers = Mutex(Watchers())
    private let source: Source

    private init?() {
        let fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else { return nil }
        self.fd = fd
        source = Source(DispatchSource.makeReadSource(fileDescriptor: fd, queue: .global()))
        source.dispatch.setEventHandler { [self] in
            // Drained here, or the descriptor stays readable and the handler runs again at once.
            var buffer = [UInt8](repeating: 0, count: 16 * 1024)
            var names: [Int32: Set<String>] = [:]
            while case let count = buffer.withUnsafeMutableBytes({ read(fd, $0.baseAddress, $0.count) }), count > 0 {
                for (descriptor, name) in Self.events(in: buffer[0..<count]) { names[descriptor, default: []].insert(name) }
            }
            let deliveries = watchers.withLock { watchers in
                names.flatMap { descriptor, names in (watchers.listeners[descriptor] ?? [:]).values.map { ($0, names) } }
            }
            for (deliver, names) in deliveries { deliver(names) }
        }
        source.dispatch.resume()
    }

    /// Watches `directories` for `mask` (added to what other watches of the same directory asked); nil when one
    /// cannot be watched. Returns a token and the watch descriptors, for ``unwatch(_:_:)``.
    func watch(
        _ directories: [String], mask: UInt32, deliver: @escaping @Sendable (Set<String>) -> Void
    ) -> (UInt64, [Int32])? {
        watchers.withLock { watchers in
            var descriptors: [Int32] = []
            for directory in directories {
                let descriptor = inotify_add_watch(fd, directory, mask | UInt32(IN_MASK_ADD))
                guard descriptor >= 0 else {
                    for added in descriptors where watchers.listeners[added, default: [:]].isEmpty {
                        inotify_rm_watch(fd, added)
                    }
                    return nil
                }
                descriptors.append(descriptor)
            }
            watchers.nextToken += 1
            for descriptor in Set(descriptors) { watchers.listeners[descriptor, default: [:]][watchers.nextToken] = deliver }
            return (watchers.nextToken, descriptors)
        }
    }

    /// Ends a watch; a directory nobody watches any more is given up.
    func unwatch(_ token: UInt64, _ descriptors: [Int32]) {
        watchers.withLock { watchers in
            for descriptor in Set(descriptors) {
                watchers.listeners[descriptor]?.removeValue(forKey: token)
                if watchers.listeners[descriptor]?.isEmpty == true {
                    watchers.listeners.removeValue(forKey: descriptor)
                    inotify_rm_watch(fd, descriptor)
                }
            }
        }
    }

    /// The watch descriptor and name of each `inotify_event` record in a buffer (a fixed header, then a
    /// NUL-padded name); records without a name are left out.
    static func events(in events: ArraySlice<UInt8>) -> [(Int32, String)] {
        var found: [(Int32, String)] = []
        let header = MemoryLayout<inotify_event>.size
        var offset = events.startIndex
        while offset + header <= events.endIndex {
            // `wd` is the header's first field, `len` (the name's padded length) its last.
            let descriptor = events[offset..<(offset + 4)].withUnsafeBytes { $0.loadUnaligned(as: Int32.self) }
            let length = events[(offset + header - 4)..<(offset + header)].withUnsafeBytes {
                Int($0.loadUnaligned(as: UInt32.self))
            }
            let name = events[(offset + header)..<min(events.endIndex, offset + header + length)]
            if length > 0 { found.append((descriptor, String(decoding: name.prefix { $0 != 0 }, as: UTF8.self))) }
            offset += header + length
        }
        return found
    }

    /// The Dispatch source, safe to use from any thread though not declared Sendable.
    private final class Source: @unchecked Sendable {
        let dispatch: any DispatchSourceRead
        init(_ dispatch: any DispatchSourceRead) { self.dispatch = dispatch }
    }
}
