import ArgumentParser

/// Where a node keeps the messages it accepts until their receivers have them (`--mailbox`).
public enum MailboxMode: String, Sendable, CaseIterable, ExpressibleByArgument {
    /// In this node's SQLite outbox only (the default).
    case outbox
    /// Also in the NATS servers' replicated `BOSUN_MAILBOX` stream, from which each node reads its own.
    case jetstream
}
