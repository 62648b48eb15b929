import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// An answer to one socket client, written as the client makes room for it (from ``DescriptorWait``'s handler).
final class ClientOutput: Sendable {
    private let bytes: [UInt8]
    private let written = Mutex(0)

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// Writes what the socket takes now; true once all is written or the client is gone.
    func writeAvailable(to client: Int32) -> Bool {
        written.withLock { offset in
            while offset < bytes.count {
                let count = bytes.withUnsafeBytes { write(client, $0.baseAddress! + offset, $0.count - offset) }
                if count > 0 {
                    offset += count
                } else if count < 0, errno == EAGAIN || errno == EWOULDBLOCK {
                    return false
                } else if count < 0, errno == EINTR {
                    continue
                } else {
                    return true
                }
            }
            return true
        }
    }
}
