import Testing

@testable import Shared

/// Which mappings a node gives back after start-up: only unchanged pages of files, never memory of its own.
@Suite struct StartupPagesTests {
    static let smaps = """
        55d0c0000000-55d0c0254000 r--p 00000000 08:01 1234                       /usr/bin/bosun-agent
        Size:               2384 kB
        Rss:                 960 kB
        Anonymous:             0 kB
        VmFlags: rd mr mw me dw sd
        55d0c0254000-55d0c0d6b000 r-xp 00254000 08:01 1234                       /usr/bin/bosun-agent
        Rss:                4656 kB
        Anonymous:             0 kB
        55d0c0d6b000-55d0c0dd0000 r--p 00d6b000 08:01 1234                       /usr/bin/bosun-agent
        Rss:                 408 kB
        Anonymous:           408 kB
        55d0c0dd0000-55d0c0fee000 rw-p 00dd0000 08:01 1234                       /usr/bin/bosun-agent
        Anonymous:           164 kB
        55d0c1000000-55d0c1100000 rw-p 00000000 00:00 0                          [heap]
        Anonymous:           372 kB
        7f9300000000-7f930011d000 rw-p 00000000 00:00 0 
        Anonymous:          1012 kB
        7f9308400000-7f9308580000 r-xp 00028000 08:01 99                         /usr/lib/x86_64-linux-gnu/libc.so.6
        Anonymous:             0 kB
        7f9308600000-7f9308608000 rw-s 00000000 08:01 77                         /var/lib/bosun/state.db-shm
        Anonymous:             0 kB
        7f9308700000-7f9308701000 r--s 00000000 08:01 78                         /var/lib/bosun/shared-map
        Anonymous:             0 kB
        7ffda18b2000-7ffda18b4000 r-xp 00000000 00:00 0                          [vdso]
        Anonymous:             0 kB
        7f9308800000-7f9308810000 r--p 00000000 08:01 79                         /usr/lib/old.so (deleted)
        Anonymous:             0 kB
        """

    @Test func onlyPrivateReadOnlyFileMappingsWithoutPagesOfTheirOwn() {
        let ranges = StartupPages.releasable(smaps: Array(Self.smaps.utf8))
        #expect(
            ranges == [
                .init(start: 0x55d0_c000_0000, end: 0x55d0_c025_4000),
                .init(start: 0x55d0_c025_4000, end: 0x55d0_c0d6_b000),
                .init(start: 0x7f93_0840_0000, end: 0x7f93_0858_0000),
                .init(start: 0x7f93_0880_0000, end: 0x7f93_0881_0000),
            ])
    }

    @Test func aMappingWhoseFieldsAreMissingIsStillJudgedByItsHeader() {
        let text = """
            1000-2000 r-xp 00000000 08:01 5 /opt/a.so
            3000-4000 rw-p 00000000 08:01 5 /opt/a.so
            5000-6000 r--p 00000000 08:01 5 /opt/a.so
            Anonymous: 4 kB
            7000-8000 r--p 00000000 08:01 5 /opt/a.so
            """
        #expect(
            StartupPages.releasable(smaps: Array(text.utf8)) == [
                .init(start: 0x1000, end: 0x2000), .init(start: 0x7000, end: 0x8000),
            ])
    }

    @Test func garbledLinesAreSkipped() {
        #expect(
            StartupPages.releasable(
                smaps: Array("zz-10 r-xp 0 0 0 /a\n2000-1000 r-xp 0 0 0 /b\nnot smaps at all\n".utf8)
            ).isEmpty)
    }

    /// The test process gives back the pages of files it has mapped (its code above all) and keeps running: what it
    /// runs next is mapped again.
    @Test func releasingThisProcessGivesBackPagesOfFiles() throws {
        let before = try Self.residentFileKilobytes()
        #expect(StartupPages.release() > 0)
        let after = try Self.residentFileKilobytes()
        #expect(after < before)
    }

    /// `RssFile` of /proc/self/status: the resident pages of mapped files.
    private static func residentFileKilobytes() throws -> Int {
        let status = String(decoding: try FileSystem.read("/proc/self/status"), as: UTF8.self)
        let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("RssFile:") })
        return try #require(
            line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first.flatMap { Int($0) })
    }
}
