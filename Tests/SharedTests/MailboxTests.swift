import Shared
import Testing

/// A mailbox's timed waits, on a clock the test moves: a wait ends with nil at its own deadline and not before,
/// and waits whose deadline moves later share one timer instead of arming one each.
@Suite struct MailboxTests {
    /// Waits until the mailbox's receiver is parked on `clock` (a timer sleeping), or a while has passed.
    private func settle(_ clock: TestClock, sleeping: Int = 1) async {
        for _ in 0..<1000 where clock.sleeping < sleeping { await Task.yield() }
    }

    @Test func aWaitEndsAtItsDeadlineAndNotBefore() async {
        let clock = TestClock()
        let mailbox = Mailbox<Int>()
        let start = clock.now
        let waiting = Task { await mailbox.receive(until: start.adding(seconds: 5), clock: clock) }
        await settle(clock)
        clock.advance(seconds: 4)
        mailbox.deliver(1)
        #expect(await waiting.value == 1)

        // Same timer (armed for 5 s), a later deadline: when it fires it must not end this wait.
        let later = Task { await mailbox.receive(until: start.adding(seconds: 10), clock: clock) }
        for _ in 0..<200 { await Task.yield() }
        clock.advance(seconds: 2)  // 6 s: the 5 s timer fires and arms one for 10 s
        await settle(clock)
        mailbox.deliver(2)
        #expect(await later.value == 2)

        let last = Task { await mailbox.receive(until: start.adding(seconds: 10), clock: clock) }
        await settle(clock)
        clock.advance(seconds: 4)  // 10 s
        #expect(await last.value == nil)
    }

    @Test func waitsForLaterDeadlinesShareOneTimer() async {
        let clock = TestClock()
        let mailbox = Mailbox<Int>()
        let start = clock.now
        for round in 1...50 {
            let waiting = Task { await mailbox.receive(until: start.adding(seconds: Double(10 + round)), clock: clock) }
            await settle(clock)
            mailbox.deliver(round)
            #expect(await waiting.value == round)
        }
        // One timer, armed by the first wait, serves all fifty.
        #expect(clock.sleeping == 1)
        // An earlier deadline needs a timer of its own.
        let sooner = Task { await mailbox.receive(until: start.adding(seconds: 3), clock: clock) }
        await settle(clock, sleeping: 2)
        #expect(clock.sleeping == 2)
        clock.advance(seconds: 3)
        #expect(await sooner.value == nil)
    }
}
