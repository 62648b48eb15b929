import Glibc
import Testing

@testable import Agent

/// ``GroupDeadline``'s schedule, with times given (nanoseconds), so nothing sleeps.
@Suite struct GroupDeadlineTests {
    private let second: UInt64 = 1_000_000_000

    @Test func termWhenTheTimeIsUpThenKillAfterTheGrace() {
        var deadline = GroupDeadline(start: 10 * second, timeout: 2, grace: 5)
        #expect(deadline.due == 12 * second)
        #expect(deadline.signal(at: 12 * second - 1) == nil)
        #expect(!deadline.expired)
        #expect(deadline.signal(at: 12 * second) == SIGTERM)
        #expect(deadline.expired)
        #expect(deadline.phase == .terminated)
        #expect(deadline.signal(at: 17 * second - 1) == nil)
        #expect(deadline.signal(at: 17 * second) == SIGKILL)
        #expect(deadline.phase == .killed)
        #expect(deadline.due == nil)
        #expect(deadline.signal(at: 100 * second) == nil)
    }

    @Test func aCommandThatLeftItsOutputOpenIsGivenUpAGraceAfterTheKill() {
        var deadline = GroupDeadline(start: 0, timeout: 1, grace: 2)
        #expect(!deadline.abandons(at: 50 * second))
        _ = deadline.signal(at: 1 * second)
        #expect(!deadline.abandons(at: 50 * second))
        _ = deadline.signal(at: 3 * second)
        #expect(!deadline.abandons(at: 5 * second - 1))
        #expect(deadline.abandons(at: 5 * second))
    }

    @Test func aHugeOrNegativeTimeoutIsClamped() {
        let forever = GroupDeadline(start: 0, timeout: 1e300, grace: 1e300)
        #expect(forever.due == UInt64(GroupDeadline.longest * 1e9))
        #expect(forever.grace == UInt64(GroupDeadline.longest * 1e9))
        var now = GroupDeadline(start: 7, timeout: -3, grace: 0)
        #expect(now.signal(at: 7) == SIGTERM)
    }
}
