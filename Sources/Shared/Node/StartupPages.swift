import CNATS
import ServiceLifecycle

#if canImport(Glibc)
    import Glibc
#endif

/// Gives back the pages of code and read-only data that only a node's start-up used (the loader's work, libcrypto's
/// initialisation, argument parsing, opening the store, the unwinding of the main thread), which otherwise stay in
/// its resident set for good: about 6 MB of an idle agent's 17 MB.
///
/// Only mappings of files that are private, not writable and hold no page of their own are advised (`MADV_DONTNEED`):
/// their pages are the file's, unchanged, which the kernel may drop at any time and maps again from the page cache
/// at the next use. A read-only mapping the loader wrote relocations into holds pages of its own (anonymous), so it
/// is left alone, as is everything writable.
public enum StartupPages {
    /// How long after the node has connected its start-up is over: its parts have started and subscribed.
    static let settle = Duration.seconds(5)

    /// A part that gives start-up's pages back once the node has settled (``settle`` after it starts), then waits,
    /// without a timer, until the node stops. It must not end before it is asked to: a service that ends while its
    /// group shuts down gracefully, before its turn (the agent waiting out a grace period), fails the whole group.
    public static func service() -> PartService {
        PartService("start-up pages") {
            try await Task.sleep(for: settle)
            release()
            try await gracefulShutdown()
        }
    }

    /// Opens libnats on a thread of its own that ends at once. libnats seeds its unique ids from OpenSSL's random
    /// generator, whose state for the thread that asked is torn down when that thread ends, running through some
    /// 760 kB of libcrypto's code. Opened on whichever pool thread connected first, that happened whenever the pool
    /// let that thread go, tens of seconds into an idle agent's life; now it happens during start-up, before start-up's
    /// pages are given back. Call it first thing in `main`.
    public static func openNATS() {
        #if canImport(Glibc)
            var thread = pthread_t()
            guard pthread_create(&thread, nil, openOnItsThread, nil) == 0 else { return }
            pthread_join(thread, nil)
        #endif
    }

    #if canImport(Glibc)
        private static let openOnItsThread: @convention(c) (UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? = {
            _ in
            _ = nats_Open(-1)
            return nil
        }
    #endif

    /// An address range of the process.
    struct Range: Equatable {
        var start: UInt
        var end: UInt
    }

    /// The mappings of `smaps` (the text of `/proc/self/smaps`) whose pages can be given back without loss.
    static func releasable(smaps text: [UInt8]) -> [Range] {
        var ranges: [Range] = []
        var candidate: Range?
        for line in text.split(separator: UInt8(ascii: "\n")) {
            guard let first = line.first else { continue }
            if first >= UInt8(ascii: "A"), first <= UInt8(ascii: "Z") {
                // A field of the mapping above: one with anonymous pages keeps them.
                if holdsAnonymousPages(line) { candidate = nil }
                continue
            }
            if let candidate { ranges.append(candidate) }
            candidate = header(line)
        }
        if let candidate { ranges.append(candidate) }
        return ranges
    }

    private static let anonymousField = Array("Anonymous:".utf8)

    /// Whether a field line is `Anonymous:` with a count other than 0.
    private static func holdsAnonymousPages(_ line: ArraySlice<UInt8>) -> Bool {
        line.starts(with: anonymousField)
            && line.dropFirst(anonymousField.count).contains { $0 >= UInt8(ascii: "1") && $0 <= UInt8(ascii: "9") }
    }

    /// The range of a mapping's header line (`start-end perms offset device inode path`) when it is private, not
    /// writable and of a file.
    private static func header(_ line: ArraySlice<UInt8>) -> Range? {
        let fields = line.split(separator: UInt8(ascii: " "), maxSplits: 5)
        guard fields.count == 6 else { return nil }
        let bounds = fields[0].split(separator: UInt8(ascii: "-"))
        let permissions = Array(fields[1])
        guard bounds.count == 2, let start = hex(bounds[0]), let end = hex(bounds[1]), end > start,
            permissions.count == 4, permissions[1] == UInt8(ascii: "-"), permissions[3] == UInt8(ascii: "p"),
            fields[5].first(where: { $0 != UInt8(ascii: " ") }) == UInt8(ascii: "/")
        else { return nil }
        return Range(start: start, end: end)
    }

    private static func hex(_ digits: ArraySlice<UInt8>) -> UInt? {
        guard !digits.isEmpty, digits.count <= 16 else { return nil }
        var value: UInt = 0
        for digit in digits {
            switch digit {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = value << 4 | UInt(digit - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): value = value << 4 | UInt(digit - UInt8(ascii: "a") + 10)
            default: return nil
            }
        }
        return value
    }

    /// Advises the releasable mappings of this process; returns how many bytes they span (not all were resident).
    @discardableResult
    static func release() -> Int {
        #if canImport(Glibc)
            guard let text = try? FileSystem.read("/proc/self/smaps") else { return 0 }
            var advised = 0
            for range in releasable(smaps: text) {
                let length = Int(range.end - range.start)
                if madvise(UnsafeMutableRawPointer(bitPattern: range.start), length, MADV_DONTNEED) == 0 {
                    advised += length
                }
            }
            return advised
        #else
            return 0
        #endif
    }
}
