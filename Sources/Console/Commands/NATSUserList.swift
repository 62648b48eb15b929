import Shared

/// The nats-server `authorization` block `bosun nats-users` writes: one NKey user per node, each allowed only
/// the subjects its role uses.
///
/// A node subscribes to its own subjects (`bosun.<node>.>`) and reply inbox (`_INBOX.<node>.>`), publishes to the
/// central node only, and answers what it was sent (`allow_responses`). The central node publishes to every node
/// and subscribes to its own subjects and inbox. So a node's credentials cannot read another node's commands,
/// answers or output, nor send it anything.
struct NATSUserList {
    struct User {
        var node: String
        var publicKey: String
    }

    var central: User
    var nodes: [User]

    /// Answers a user may publish to one reply subject it was sent: an `inProgress`, or an ACK in chunks (at most
    /// 16 MiB of output in `max_payload` pieces). A sender still waiting sends the message again after its
    /// `ackTimeout` and retry wait (at most a minute), which opens the reply subject again: an hour leaves room.
    static let responses = #"{ max: 1000, expires: "1h" }"#

    var text: String {
        var lines = [
            "# nats-server users for Bosun, written by `bosun nats-users`: one NKey user per node.",
            "# Include this file in nats-server.conf (include ./users.conf) in place of other users, then reload.",
            "# Each node subscribes only to its own subjects and reply inbox, publishes only to the central node",
            "# (\(Self.subjects(central.node))) and answers what it was sent (allow_responses).",
            "authorization {",
            "    users = [",
        ]
        lines += Self.entry(central, comment: "the central node, sends to every node", publish: ["\(Wire.subjectPrefix).*.>"])
        for user in nodes {
            lines += Self.entry(user, comment: "a node", publish: [Self.subjects(central.node)])
        }
        lines += ["    ]", "}"]
        return lines.joined(separator: "\n") + "\n"
    }

    /// Everything addressed to `node`.
    static func subjects(_ node: String) -> String { Subject.everything(for: node) }

    private static func entry(_ user: User, comment: String, publish: [String]) -> [String] {
        let subscribe = [subjects(user.node), NATSConfiguration.inboxPrefix(for: user.node) + ".>"]
        return [
            "        # \(user.node): \(comment)",
            "        {",
            "            nkey: \(user.publicKey)",
            "            permissions: {",
            "                publish: { allow: \(quoted(publish)) }",
            "                subscribe: { allow: \(quoted(subscribe)) }",
            "                allow_responses: \(responses)",
            "            }",
            "        }",
        ]
    }

    private static func quoted(_ subjects: [String]) -> String {
        "[" + subjects.map { "\"\($0)\"" }.joined(separator: ", ") + "]"
    }
}
