import Shared
import Testing

/// The ordered-reader design's place in a mailbox: it moves only over messages all handled, in stream order.
struct MailboxCursorTests {
    @Test func thePlaceMovesOverARunOfHandledMessagesOnly() {
        var cursor = MailboxCursor(handledThrough: 3)
        let accepted = [5, 9, 12].map { cursor.delivered($0) }
        #expect(accepted == [true, true, true])
        let whileFiveRuns = cursor.handled(9)
        #expect(whileFiveRuns == nil)
        #expect(cursor.handledThrough == 3)
        // 5 and 9 done: the place jumps over other nodes' 6…8.
        let afterFive = cursor.handled(5)
        #expect(afterFive == 9)
        #expect(cursor.inFlight == 1)
        let afterTwelve = cursor.handled(12)
        #expect(afterTwelve == 12)
        #expect(cursor.inFlight == 0)
    }

    @Test func aMessageAtOrBelowThePlaceOrDeliveredAgainIsNotRunAgain() {
        var cursor = MailboxCursor(handledThrough: 10)
        // At or below the place; new; new; then a recreated consumer delivering again from where it stood.
        let accepted = [10, 4, 11, 14, 11, 14].map { cursor.delivered($0) }
        #expect(accepted == [false, false, true, true, false, false])
        let neverDelivered = cursor.handled(20)
        #expect(neverDelivered == nil)
        #expect(cursor.handledThrough == 10)
    }
}
