/// What the receiver should do with an ACK-type message, given what it has already done with that id.
public enum ReceiveBegin: Sendable, Equatable {
    /// First time seen: run it.
    case new
    /// Already running (the sender retried): do not run it again; answer `inProgress`.
    case running
    /// Already run: answer with the stored reply again.
    case finished(Reply)
    /// It was running when the receiver stopped: do not run it again, since its effects may be half done.
    case interrupted
}
