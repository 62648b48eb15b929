/// What a JetStream stream keeps: its name, subjects, replicas, how long, and the window in which a publish
/// carrying a `Nats-Msg-Id` already stored is recognised as a duplicate.
public struct JetStreamStreamConfiguration: Sendable, Equatable {
    public var name: String
    public var subjects: [String]
    /// 1 on one server, 3 in a three-server cluster (the stream then survives the loss of any one server).
    public var replicas: Int
    /// How long a message is kept (0: for ever).
    public var maxAge: Duration
    /// How long a message id is remembered to drop a repeated publish: must cover a publish retried across a
    /// server failover (the leader election and the client's reconnect), so minutes rather than seconds.
    public var duplicateWindow: Duration

    public init(name: String, subjects: [String], replicas: Int, maxAge: Duration, duplicateWindow: Duration) {
        self.name = name
        self.subjects = subjects
        self.replicas = replicas
        self.maxAge = maxAge
        self.duplicateWindow = duplicateWindow
    }

    /// `BOSUN_MAILBOX`: messages accepted for nodes, one subject per message (`bosun.mbox.<node>.<id>`).
    public static func mailbox(replicas: Int, maxAge: Duration, duplicateWindow: Duration = .seconds(600)) -> Self {
        Self(name: MailboxSubjects.mailboxStream, subjects: [MailboxSubjects.mailboxPrefix + ">"], replicas: replicas,
            maxAge: maxAge, duplicateWindow: min(duplicateWindow, maxAge == .zero ? duplicateWindow : maxAge))
    }

    /// `BOSUN_RESULTS`: answers, one subject per answered message (`bosun.results.<sender>.<id>`).
    public static func results(replicas: Int, maxAge: Duration, duplicateWindow: Duration = .seconds(600)) -> Self {
        Self(name: MailboxSubjects.resultsStream, subjects: [MailboxSubjects.resultsPrefix + ">"], replicas: replicas,
            maxAge: maxAge, duplicateWindow: min(duplicateWindow, maxAge == .zero ? duplicateWindow : maxAge))
    }
}

/// The subjects of the mailbox and results streams. Node names and message ids are single subject tokens
/// (letters, digits, `-`, `_`), so neither can reach into another node's subjects.
public enum MailboxSubjects {
    public static let mailboxStream = "BOSUN_MAILBOX"
    public static let resultsStream = "BOSUN_RESULTS"
    static let mailboxPrefix = "bosun.mbox."
    static let resultsPrefix = "bosun.results."

    /// Where a message for `node` is stored.
    public static func mailbox(node: String, id: String) -> String { mailboxPrefix + node + "." + id }
    /// Every message stored for `node`.
    public static func mailbox(node: String) -> String { mailboxPrefix + node + ".>" }
    /// Where the answer to `sender`'s message `id` is stored.
    public static func result(sender: String, id: String) -> String { resultsPrefix + sender + "." + id }
    /// Every answer stored for `sender`.
    public static func results(sender: String) -> String { resultsPrefix + sender + ".>" }
}
