import Foundation
import Testing

/// The example nats-server configurations under deploy/nats: valid, and the hub and leaf pair carries a command
/// from a central node on the hub to an agent on the leaf. And deploy/install.sh (staged with DESTDIR): the trusted
/// keys it writes are the ones the agent, started as its unit says, runs messages from.
@Suite(.serialized)
struct DeployConfigTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("deploy/nats").path

    @Test(arguments: [
        "single.conf", "cluster-1.conf", "cluster-2.conf", "cluster-3.conf", "hub.conf", "leaf.conf", "permissions.conf",
    ])
    func exampleConfigurationIsValid(_ name: String) async throws {
        let check = try await runProgram(NATSServer.executable, ["-t", "-c", Self.directory + "/" + name])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
    }

    @Test func aCommandCrossesFromTheHubToAnAgentOnTheLeaf() async throws {
        try await withTemporaryDirectory { directory in
            try await hubAndLeafScenario(directory: directory)
        }
    }

    static let installScript = URL(fileURLWithPath: directory).deletingLastPathComponent().appendingPathComponent("install.sh").path

    /// install.sh with the trust and NATS user options, staged; the agent started as the unit says, on a server with
    /// the users `bosun nats-users` wrote: it runs what the trusted keys signed, and nothing else.
    @Test func installWritesTheTrustedKeysAndTheAgentItStartsRunsOnlyWhatTheySigned() async throws {
        try await withTemporaryDirectory { directory in
            let server = ConfiguredNATSServer(directory: directory + "/nats")
            let users = try await makeNATSUsers(["edge"], output: server.directory, dataDirectory: directory + "/central")
            try await server.start(configuration: "include ./users.conf")
            defer { server.stop() }
            let edgeUser = try #require(users["edge"])
            let centralUser = try #require(users["central"])

            let operatorKey = try await publicKey(dataDirectory: directory + "/central")
            let laptopKey = try await publicKey(dataDirectory: directory + "/laptop")
            let keysFile = directory + "/keys"
            try "# the operators' laptops\n\n\(laptopKey)   # alice\n".write(toFile: keysFile, atomically: true, encoding: .utf8)
            let root = directory + "/root"
            let installed = try await runProgram("/bin/sh", [
                Self.installScript, Binaries.agent, "--node", "edge", "--server", server.url(),
                "--trust", operatorKey, "--trust-file", keysFile,
            ] + edgeUser, environment: ["DESTDIR": root])
            #expect(installed.status == 0, "\(installed.stderr)")
            #expect(installed.stdout.contains("wrote /etc/bosun/trusted-keys (2 keys)"), "\(installed.stdout)")
            let trusted = try String(contentsOfFile: root + "/etc/bosun/trusted-keys", encoding: .utf8)
            #expect(trusted.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("#") } == [operatorKey, laptopKey])
            for file in ["trusted-keys", "nats.nk", "agent.env"] {
                let mode = try FileManager.default.attributesOfItem(atPath: root + "/etc/bosun/" + file)[.posixPermissions]
                #expect(mode as? Int == 0o640, "\(file)")
            }

            // The agent as the unit starts it, its paths moved under the staging directory, agent.env's options in.
            let unit = try String(contentsOfFile: root + "/etc/systemd/system/bosun-agent.service", encoding: .utf8)
            let execStart = try #require(unit.split(separator: "\n").first { $0.hasPrefix("ExecStart=") })
            #expect(execStart.contains(" --trust /etc/bosun/trusted-keys "), "\(execStart)")
            #expect(unit.contains("EnvironmentFile=-/etc/bosun/agent.env"))
            let environment = try String(contentsOfFile: root + "/etc/bosun/agent.env", encoding: .utf8)
            let natsOptions = try #require(environment.split(separator: "\n").first { $0.hasPrefix("BOSUN_AGENT_NATS=") })
            let command = execStart.dropFirst("ExecStart=".count)
                .replacingOccurrences(of: "$BOSUN_AGENT_NATS", with: natsOptions.dropFirst("BOSUN_AGENT_NATS=".count))
            let words = command.split(separator: " ").map {
                $0 == "/var/lib/bosun" ? directory + "/edge" : $0.hasPrefix("/") ? root + $0 : String($0)
            }
            let agent = try ChildProcess(words[0], Array(words.dropFirst()), logPath: directory + "/edge.log")
            defer { agent.stop() }
            #expect(await eventually(timeout: .seconds(15)) { agent.log.contains("listening") }, "\(agent.log)")

            let ran = try await bosun(
                ["send", "--to", "edge", "--timeout", "30"] + centralUser + ["--", "echo", "signed by a trusted key"],
                server: server.url(), dataDirectory: directory + "/central")
            #expect(ran.status == 0, "\(ran.stderr)\n\(agent.log)")
            #expect(ran.stdout == "signed by a trusted key\n")
            // Someone with the central's NATS user but not its signing key.
            let marker = directory + "/ran-for-a-stranger"
            let refused = try await bosun(["send", "--to", "edge", "--timeout", "30"] + centralUser + ["--", "touch", marker],
                server: server.url(), dataDirectory: directory + "/stranger")
            #expect(refused.status == 65, "\(refused.stdout)\(refused.stderr)")
            #expect(refused.stderr.contains("does not trust"), "\(refused.stderr)")
            #expect(!FileManager.default.fileExists(atPath: marker))
        }
    }

    /// A bad key (or NATS user) stops install.sh before it installs anything, with an error naming the argument.
    @Test(arguments: [
        (["--trust", "not-a-key"], "--trust: not a public key"),
        (["--trust", String(repeating: "A", count: 44)], "--trust: not a public key"),
        (["--trust-file", "KEYS"], "--trust-file KEYS, line 2: not a public key"),
        (["--trust-file", "MISSING"], "--trust-file MISSING: cannot be read"),
        (["--trust"], "--trust needs a value"),
        (["--nkey", "UABC", "--nkey-seed", "KEYS"], "--nkey: not a NATS user public key"),
        (["--nkey", "U" + String(repeating: "A", count: 55), "--nkey-seed", "KEYS"], "--nkey-seed KEYS: not a NATS user seed"),
        (["--nkey-seed", "KEYS"], "--nkey and --nkey-seed go together"),
    ])
    func installRefusesAKeyThatIsNotOne(_ arguments: [String], _ error: String) async throws {
        try await withTemporaryDirectory { directory in
            let keysFile = directory + "/keys"
            try "# fine\nc2VjcmV0\n".write(toFile: keysFile, atomically: true, encoding: .utf8)
            let paths = ["KEYS": keysFile, "MISSING": directory + "/missing"]
            let resolved = arguments.map { paths[$0] ?? $0 }
            let root = directory + "/root"
            let result = try await runProgram("/bin/sh", [Self.installScript, Binaries.agent, "--node", "edge"] + resolved,
                environment: ["DESTDIR": root])
            #expect(result.status == 1)
            let expected = paths.reduce(error) { $0.replacingOccurrences(of: $1.key, with: $1.value) }
            #expect(result.stderr.contains(expected), "\(result.stderr)")
            #expect(!FileManager.default.fileExists(atPath: root), "nothing installed")
        }
    }

    /// The public key `bosun keys show` prints for a (new) central data directory.
    private func publicKey(dataDirectory: String) async throws -> String {
        let shown = try await runProgram(Binaries.bosun, ["keys", "show", "--data-dir", dataDirectory])
        #expect(shown.status == 0, "\(shown.stderr)")
        return shown.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private func hubAndLeafScenario(directory: String) async throws {
        let hubPort = freePort()
        let leafnodePort = freePort()
        let sitePort = freePort()
        // The examples as shipped, moved onto loopback and free ports.
        let hub = try configured("hub.conf", directory: directory, [
            "0.0.0.0:4222": "127.0.0.1:\(hubPort)", "0.0.0.0:7422": "127.0.0.1:\(leafnodePort)", "http: 127.0.0.1:8222": "",
        ])
        let leaf = try configured("leaf.conf", directory: directory, [
            "0.0.0.0:4222": "127.0.0.1:\(sitePort)", "hub.example:7422": "127.0.0.1:\(leafnodePort)",
        ])
        let hubServer = try ChildProcess(NATSServer.executable, ["-c", hub], logPath: directory + "/hub.log")
        defer { hubServer.stop() }
        #expect(await eventually { hubServer.log.contains("Server is ready") })
        let leafServer = try ChildProcess(NATSServer.executable, ["-c", leaf], logPath: directory + "/leaf.log")
        defer { leafServer.stop() }
        #expect(await eventually { leafServer.log.contains("Leafnode connection created") })

        let agent = AgentProcess(
            node: "site-pi", server: "nats://bosun:CHANGE-ME@127.0.0.1:\(sitePort)", dataDirectory: directory + "/site-pi")
        defer { agent.stop() }
        try await agent.start()
        let result = try await bosun(["send", "--to", "site-pi", "--", "echo", "via the leaf"],
            server: "nats://bosun:CHANGE-ME@127.0.0.1:\(hubPort)")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "via the leaf\n")
    }

    /// Writes a copy of an example with `replacements` applied; returns its path.
    private func configured(_ name: String, directory: String, _ replacements: [String: String]) throws -> String {
        var text = try String(contentsOfFile: Self.directory + "/" + name, encoding: .utf8)
        for (from, to) in replacements {
            #expect(text.contains(from), "\(name) has no \(from)")
            text = text.replacingOccurrences(of: from, with: to)
        }
        let path = directory + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}
