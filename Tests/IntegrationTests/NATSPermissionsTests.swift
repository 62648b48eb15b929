import Foundation
import Testing

/// NATS permissions per node (`bosun nats-users`) on a real nats-server that includes the users file the command
/// wrote: a node's credentials reach nothing of another node's, and real agents with theirs still work end to end.
@Suite(.serialized)
struct NATSPermissionsTests {
    /// The users `bosun nats-users alpha beta` wrote, and the server that includes them.
    struct Fleet {
        let server: ConfiguredNATSServer
        let directory: String
        /// Each node's (and the central's) `--nkey KEY --nkey-seed FILE`, as the command printed them.
        let credentials: [String: [String]]

        func client(_ node: String) throws -> NATSLineClient {
            let options = try #require(credentials[node], "no credentials printed for \(node)")
            return try NATSLineClient.connect(port: server.port, nkey: options[1], seedFile: options[3])
        }
    }

    @Test func aNodeCannotSubscribeToAnotherNodesSubjectsNorToAnyoneElsesAnswers() async throws {
        try await withFleet { fleet in
            let alpha = try fleet.client("alpha")
            for (number, subject) in ["bosun.beta.>", "bosun.central.>", "_INBOX.central.>", "_INBOX.beta.>",
                "_INBOX.>", "bosun.>", ">"].enumerated()
            {
                try alpha.send("SUB \(subject) \(number + 1)\r\n")
                let answer = try alpha.roundTrip()
                #expect(answer.contains("Permissions Violation for Subscription to \"\(subject)\""), "\(answer)")
            }
            for (number, subject) in ["bosun.alpha.>", "_INBOX.alpha.>"].enumerated() {
                try alpha.send("SUB \(subject) \(number + 100)\r\n")
                #expect(try alpha.roundTrip() == "", "its own subjects are open to it")
            }
        }
    }

    @Test func aNodeCannotSendAnotherNodeACommand() async throws {
        try await withFleet { fleet in
            let beta = try fleet.client("beta")
            try beta.send("SUB bosun.beta.> 1\r\n")
            #expect(try beta.roundTrip() == "")
            let central = try fleet.client("central")
            let alpha = try fleet.client("alpha")

            let command = #"{"id":"forged","toNode":"beta","method":"cliCommand","methodArgs":["id"]}"#
            try alpha.send("PUB bosun.beta.cliCommand.CommandACK _INBOX.alpha.x \(command.utf8.count)\r\n\(command)\r\n")
            let refused = try alpha.roundTrip()
            #expect(refused.contains("Permissions Violation for Publish to \"bosun.beta.cliCommand.CommandACK\""),
                "\(refused)")
            // The server handled alpha's publish before its PONG, so a delivery to beta would be queued before
            // beta's PONG: beta got nothing.
            #expect(try beta.roundTrip() == "")

            // The same bytes from the central's user do arrive: the listener would have seen alpha's.
            try central.send("PUB bosun.beta.cliCommand.CommandACK _INBOX.central.x \(command.utf8.count)\r\n\(command)\r\n")
            #expect(try central.roundTrip() == "")
            let delivered = try beta.roundTrip()
            #expect(delivered.contains("MSG bosun.beta.cliCommand.CommandACK 1 _INBOX.central.x"), "\(delivered)")
            #expect(delivered.contains(command), "\(delivered)")
        }
    }

    @Test func realAgentsWorkWithTheirCredentialsAndNoOtherNodeSeesTheirOutput() async throws {
        try await withFleet { fleet in
            let url = fleet.server.url()
            let central = AgentProcess.central(server: url, directory: fleet.directory)
            defer { central.stop() }
            try await central.start(extraArguments: try #require(fleet.credentials["central"]))
            // The agents run what the central node signs, as the README sets them up.
            let shown = try await runProgram(Binaries.bosun, ["keys", "show", "--data-dir", central.dataDirectory])
            let centralKey = shown.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            var agents: [AgentProcess] = []
            defer { agents.forEach { $0.stop() } }
            for node in ["alpha", "beta"] {
                let agent = AgentProcess(node: node, server: url, dataDirectory: fleet.directory + "/" + node)
                agents.append(agent)
                // Metrics every second: EventACK messages to the central node, answered on the node's own inbox.
                try await agent.start(
                    extraArguments: try #require(fleet.credentials[node])
                        + ["--metrics-interval", "1", "--trust", centralKey])
            }
            let alpha = try fleet.client("alpha")
            // Alpha's own subjects: what a thief with alpha's seed reads (the alpha agent's own traffic, at most).
            try alpha.send("SUB bosun.alpha.> 1\r\nSUB _INBOX.alpha.> 2\r\n")
            let subscribed = try alpha.roundTrip()
            #expect(!subscribed.contains("-ERR"), "\(subscribed)")

            let centralOptions = try #require(fleet.credentials["central"])
            for method in ["cliCommand", "cliCommandCont"] {
                let result = try await bosun(
                    ["send", "--to", "beta", "--method", method, "--timeout", "30"] + centralOptions
                        + ["--", "echo", "beta-secret"],
                    server: url, dataDirectory: central.dataDirectory)
                #expect(result.status == 0, "\(result.stderr)\nbeta:\n\(agents[1].log)")
                #expect(result.stdout == "beta-secret\n")
            }
            let own = try await bosun(
                ["send", "--to", "alpha", "--timeout", "30"] + centralOptions + ["--", "echo", "alpha-own"],
                server: url, dataDirectory: central.dataDirectory)
            #expect(own.stdout == "alpha-own\n", "\(own.stderr)")
            // The central answers what the nodes send it: their metrics are acked.
            for agent in agents {
                let acked = await eventually(timeout: .seconds(20)) {
                    (try? await agent.messages())?.contains {
                        $0["method"] as? String == "metrics" && $0["state"] as? String == "acked"
                    } ?? false
                }
                #expect(acked, "no metrics of \(agent.node) acked:\n\(agent.log)")
            }
            // A burst of commands, which goes to beta in batches once beta has answered one: under beta's
            // permissions every answer still reaches the central node, each command on its first attempt.
            func commands(_ range: Range<Int>) -> String {
                "[" + range.map { #"{"toNode":"beta","method":"cliCommand","methodArgs":["echo","burst \#($0)"]}"# }
                    .joined(separator: ",") + "]"
            }
            let before = Set(central.journalIDs("accepted"))
            try central.write(inmsg: commands(0..<1))
            #expect(await eventually(timeout: .seconds(30)) { Set(central.journalIDs("acked")).subtracting(before).count == 1 })
            try central.write(inmsg: commands(1..<41))
            #expect(await eventually(timeout: .seconds(60)) { Set(central.journalIDs("acked")).subtracting(before).count == 41 })
            let burst = Set(central.journalIDs("accepted")).subtracting(before)
            #expect(burst.count == 41)
            #expect(central.journalIDs("attempt").filter(burst.contains).count == 41)
            let seen = try alpha.roundTrip()
            #expect(!seen.contains("beta-secret"), "\(seen)")
            #expect(!fleet.server.log.contains("Violation"), "the real nodes stayed within their permissions:\n\(fleet.server.log)")
        }
    }

    @Test func theShippedExampleIsWhatTheCommandWritesButForTheKeys() async throws {
        try await withTemporaryDirectory { directory in
            let made = try await bosun(
                ["nats-users", "--output", directory + "/users", "pi-kitchen", "pi-garage", "edge-gw"],
                server: "nats://127.0.0.1:1", dataDirectory: directory + "/central")
            #expect(made.status == 0, "\(made.stderr)")
            let written = try String(contentsOfFile: directory + "/users/users.conf", encoding: .utf8)
            let example = try String(contentsOfFile: DeployConfigTests.directory + "/permissions.conf", encoding: .utf8)
            #expect(Self.withoutKeys(example).contains(Self.withoutKeys(written)), "deploy/nats/permissions.conf differs from:\n\(written)")
        }
    }

    @Test func seedsAreKeptAndPrivateAndBadNamesAreRefused() async throws {
        try await withTemporaryDirectory { directory in
            let output = directory + "/users"
            let first = try await bosun(["nats-users", "--output", output, "pi-1"], server: "nats://127.0.0.1:1",
                dataDirectory: directory + "/central")
            #expect(first.status == 0, "\(first.stderr)")
            let second = try await bosun(["nats-users", "--output", output, "pi-1", "pi-2"], server: "nats://127.0.0.1:1",
                dataDirectory: directory + "/central")
            let firstLines = Set(first.stdout.split(separator: "\n").filter { $0.hasPrefix("pi-1\t") || $0.hasPrefix("central\t") })
            #expect(firstLines.count == 2 && firstLines.isSubset(of: Set(second.stdout.split(separator: "\n"))),
                "\(first.stdout)\n\(second.stdout)")
            for node in ["central", "pi-1", "pi-2"] {
                let mode = try FileManager.default.attributesOfItem(atPath: "\(output)/\(node).nk")[.posixPermissions]
                #expect(mode as? Int == 0o600, "\(node).nk")
            }

            let bad = try await bosun(["nats-users", "--output", output, "pi.3"], server: "nats://127.0.0.1:1",
                dataDirectory: directory + "/central")
            #expect(bad.status == 64)
            #expect(bad.stderr.contains("node name \"pi.3\""), "\(bad.stderr)")
            let none = try await bosun(["nats-users", "--output", output], server: "nats://127.0.0.1:1",
                dataDirectory: directory + "/central")
            #expect(none.status == 64)
            #expect(none.stderr.contains("no nodes"), "\(none.stderr)")
        }
    }

    /// The users file with each `nkey: U…` line's key replaced by `U…`.
    static func withoutKeys(_ text: String) -> String {
        text.replacing(/nkey: U[A-Z2-7]{55}/, with: "nkey: U…")
    }

    /// `bosun nats-users alpha beta`, a nats-server including its users file, and the credentials it printed.
    private func withFleet(_ body: (Fleet) async throws -> Void) async throws {
        try await withTemporaryDirectory { directory in
            let server = ConfiguredNATSServer(directory: directory + "/nats")
            let credentials = try await makeNATSUsers(
                ["alpha", "beta"], output: server.directory, dataDirectory: directory + "/central")
            #expect(Set(credentials.keys) == ["central", "alpha", "beta"], "\(credentials)")
            try await server.start(configuration: "include ./users.conf")
            defer { server.stop() }
            try await body(Fleet(server: server, directory: directory, credentials: credentials))
        }
    }
}
