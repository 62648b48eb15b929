#if canImport(Glibc)
    import Glibc

    /// glibc's `mallopt` (malloc.h, which the Glibc module leaves out).
    @_silgen_name("mallopt")
    private func mallopt(_ parameter: Int32, _ value: Int32) -> Int32

    /// glibc's `malloc_trim` (malloc.h): returns free heap memory to the system.
    @_silgen_name("malloc_trim")
    private func malloc_trim(_ pad: Int) -> Int32
#endif

/// glibc's allocator settings that decide how much memory a node keeps resident.
public enum MallocTuning {
    /// Caps the number of malloc arenas, unless `MALLOC_ARENA_MAX` in the environment chose already. glibc gives each
    /// thread that allocates an arena of its own (up to 8 per core), and each keeps its own free memory resident;
    /// an agent's threads mostly wait. Call it first thing in `main`, before threads start.
    public static func limitArenas(to count: Int32) {
        #if canImport(Glibc)
            guard getenv("MALLOC_ARENA_MAX") == nil else { return }
            _ = mallopt(-8, count)  // M_ARENA_MAX
        #endif
    }

    /// Blocks of `bytes` and more get pages of their own, given back when freed.
    static func setMmapThreshold(_ bytes: Int32) {
        #if canImport(Glibc)
            _ = mallopt(-3, bytes)  // M_MMAP_THRESHOLD
        #endif
    }

    /// Free memory at the top of a heap is given back to the system once it passes `bytes`.
    static func setTrimThreshold(_ bytes: Int32) {
        #if canImport(Glibc)
            _ = mallopt(-1, bytes)  // M_TRIM_THRESHOLD
        #endif
    }

    /// Returns free heap memory to the system: every free page of every arena (madvise), not only the top of a heap.
    public static func trim() {
        #if canImport(Glibc)
            _ = malloc_trim(0)
        #endif
    }
}
