import ArgumentParser
import Foundation
import Shared

/// `bosun demo`: a local nats-server, three agents and the console attached to them, so a newcomer sees Bosun
/// work in seconds.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Start a local nats-server and three agents, and open the console on them.",
        discussion: """
            Everything runs on 127.0.0.1 in a temporary directory that is removed afterwards; quitting the
            console (q) stops the server and the agents. Without a terminal, a few messages are sent instead.
            Needs nats-server on PATH or in /usr/sbin (Debian package nats-server).
            """)

    @Option(parsing: .upToNextOption, help: ArgumentHelp("Names of the demo agents' nodes.", valueName: "names"))
    var agents = ["pi-kitchen", "pi-garage", "edge-gw"]

    @Option(help: ArgumentHelp("Seconds between the agents' hellos.", valueName: "seconds"))
    var helloInterval = 2.0

    @Flag(help: "Without a terminal: keep the server and agents running until Ctrl-C.")
    var keep = false

    @OptionGroup(title: "Console") var console: ConsoleFlags

    func run() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bosun-demo-\(getpid())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let interactive = isatty(0) != 0 && isatty(1) != 0

        let port = try LocalProcesses.freePort()
        let url = "nats://127.0.0.1:\(port)"
        step("starting nats-server on \(url)")
        let server = try LocalProcesses.start(
            LocalProcesses.natsServer(),
            ["-a", "127.0.0.1", "-p", String(port), "-P", directory + "/nats.pid"], log: directory + "/nats.log")
        defer { LocalProcesses.stop(server) }
        try await LocalProcesses.waitFor(timeout: 10, "nats-server to accept connections") {
            Loopback.isListening(port: port)
        }

        // The console's key, trusted by every agent: they run what it sends, signed, and nothing unsigned.
        let central = directory + "/central"
        try FileManager.default.createDirectory(atPath: central, withIntermediateDirectories: true)
        let centralKey = try NodeKey.loadOrCreate(path: central + "/node.key").publicKey
        step("the console's key: \(centralKey) (bosun keys show); the agents trust it")

        var started: [Process] = []
        defer { started.forEach(LocalProcesses.stop) }
        for node in agents {
            step("starting bosun-agent --node \(node)")
            let log = directory + "/\(node).log"
            started.append(
                try LocalProcesses.start(
                    LocalProcesses.sibling("bosun-agent"),
                    [
                        "--node", node, "--server", url, "--data-dir", directory + "/" + node, "--hello-interval",
                        String(helloInterval), "--trust", centralKey,
                    ], log: log))
            try await LocalProcesses.waitFor(timeout: 15, "agent \(node) to subscribe") {
                ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").contains("listening")
            }
        }

        if interactive {
            step("opening the console (q quits and stops the demo)")
            // The demo's agents are let in at their first hello: no `bosun nodes approve` for a newcomer.
            let options = try NodeOptions.parse(["--server", url, "--data-dir", central, "--auto-approve"])
            try await ConsoleSession.run(options, flags: console)
            step("done; the demo's server and agents are stopped")
            return
        }
        try sendSamples(to: agents[0], server: url, dataDirectory: central)
        if keep {
            step("running; try: BOSUN_SERVER=\(url) bosun send --to \(agents[0]) -- uptime   (Ctrl-C to stop)")
            while true { try await Task.sleep(for: .seconds(3600)) }
        }
        step("done; the demo's server and agents are stopped")
    }

    func validate() throws {
        guard !agents.isEmpty else { throw ValidationError("--agents needs at least one node name") }
        for node in agents where !NodeName.isValid(node) {
            throw ValidationError("--agents: \"\(node)\" is not a valid node name (letters, digits, - and _ only)")
        }
    }

    /// Without a terminal: a few `bosun send`s, their output on this terminal.
    private func sendSamples(to node: String, server url: String, dataDirectory: String) throws {
        for arguments in [
            ["--method", "ping"],
            ["--", "uname", "-a"],
            ["--", "sh", "-c", "echo hello from $(hostname); exit 3"],
        ] {
            step((["bosun", "send", "--to", node] + arguments).joined(separator: " "))
            let status = try LocalProcesses.runToEnd(
                LocalProcesses.sibling("bosun"),
                ["send", "--server", url, "--data-dir", dataDirectory, "--auto-approve", "--to", node] + arguments)
            print("  → exit \(status)")
        }
    }

    private func step(_ text: String) {
        print("\u{1B}[1m▸ \(text)\u{1B}[0m")
        // The sends below write to the same terminal from child processes: keep the order on screen.
        fflush(nil)
    }
}
