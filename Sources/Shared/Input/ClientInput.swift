import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// What one socket client has sent so far, read as it arrives (from ``DescriptorWait``'s handler).
final class ClientInput: Sendable {
    enum Status: Sendable {
        /// More may come.
        case reading
        /// A whole JSON value, or the client shut down its side.
        case complete
        /// More than the limit.
        case tooLarge
        /// The read failed.
        case failed
    }

    private struct State {
        var bytes: [UInt8] = []
        var status = Status.reading
    }

    let limit: Int
    private let state = Mutex(State())

    init(limit: Int) { self.limit = limit }

    var bytes: [UInt8] { state.withLock { $0.bytes } }
    var status: Status { state.withLock { $0.status } }

    /// Reads what `client` has now; true once there is nothing more to wait for.
    func readAvailable(from client: Int32) -> Bool {
        state.withLock { state in
            var chunk = [UInt8](repeating: 0, count: 64 * 1024)
            while state.status == .reading {
                let count = chunk.withUnsafeMutableBytes { read(client, $0.baseAddress, $0.count) }
                if count > 0 {
                    state.bytes.append(contentsOf: chunk[0..<count])
                    if state.bytes.count > limit {
                        state.status = .tooLarge
                    } else if JSONFraming.isComplete(state.bytes) {
                        state.status = .complete
                    }
                } else if count == 0 {
                    state.status = .complete
                } else if errno == EAGAIN || errno == EWOULDBLOCK {
                    return false
                } else if errno != EINTR {
                    state.status = .failed
                }
            }
            return true
        }
    }
}
