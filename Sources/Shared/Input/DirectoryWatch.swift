import Dispatch
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Tells which files changed in some directories, through inotify: the reader wakes when the kernel queues an
/// event, and nothing runs while nothing changes.
public final class DirectoryWatch: Sendable {
    private let signal: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation
    /// Names with an event that the reader has not taken yet.
    private let pending = Mutex(Set<String>())
    private let source: Source

    /// Nil when inotify cannot watch every directory (it is missing, a directory does not exist, or the
    /// system's inotify limits are reached): the caller falls back to polling.
    public init?(directories: [String], events mask: UInt32) {
        let fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else { return nil }
        guard directories.allSatisfy({ inotify_add_watch(fd, $0, mask) >= 0 }) else {
            close(fd)
            return nil
        }
        (signal, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        source = Source(DispatchSource.makeReadSource(fileDescriptor: fd, queue: .global()))
        source.dispatch.setEventHandler { [self] in
            // Drained here, or the descriptor stays readable and the handler runs again at once.
            var buffer = [UInt8](repeating: 0, count: 16 * 1024)
            var names = Set<String>()
            while case let count = buffer.withUnsafeMutableBytes({ read(fd, $0.baseAddress, $0.count) }), count > 0 {
                names.formUnion(Self.names(in: buffer[0..<count]))
            }
            pending.withLock { $0.formUnion(names) }
            continuation.yield()
        }
        source.dispatch.setCancelHandler { close(fd) }
        source.dispatch.resume()
    }

    /// The names (without their directory) with an event since the previous element; a burst comes as one.
    /// Ends when the watch is cancelled.
    public var changes: AsyncMapSequence<AsyncStream<Void>, Set<String>> {
        signal.map { [self] in pending.withLock { names in
            defer { names = [] }
            return names
        } }
    }

    /// Stops watching; ``changes`` ends.
    public func cancel() {
        source.dispatch.cancel()
        continuation.finish()
    }

    /// The names in a buffer of `inotify_event` records (a fixed header, then a NUL-padded name).
    static func names(in events: ArraySlice<UInt8>) -> Set<String> {
        var names = Set<String>()
        let header = MemoryLayout<inotify_event>.size
        var offset = events.startIndex
        while offset + header <= events.endIndex {
            // `len`, the name's padded length, is the header's last field.
            let length = events[(offset + header - 4)..<(offset + header)].withUnsafeBytes {
                Int($0.loadUnaligned(as: UInt32.self))
            }
            let name = events[(offset + header)..<min(events.endIndex, offset + header + length)]
            if length > 0 { names.insert(String(decoding: name.prefix { $0 != 0 }, as: UTF8.self)) }
            offset += header + length
        }
        return names
    }

    /// The Dispatch source, safe to cancel from any thread though not declared Sendable.
    private final class Source: @unchecked Sendable {
        let dispatch: any DispatchSourceRead
        init(_ dispatch: any DispatchSourceRead) { self.dispatch = dispatch }
    }
}
