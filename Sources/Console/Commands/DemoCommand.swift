import ArgumentParser
import Foundation
import Shared

/// `bosun demo`: a local nats-server, an agent, and a few messages, so a newcomer sees Bosun work in seconds.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Start a local nats-server and an agent, and send them a few messages.",
        discussion: """
            Everything runs on 127.0.0.1 in a temporary directory that is removed afterwards.
            Needs nats-server on PATH or in /usr/sbin (Debian package nats-server).
            """)

    @Option(help: ArgumentHelp("Name of the demo agent's node.", valueName: "name"))
    var agentNode = "demo-pi"

    @Flag(help: "Keep the server and agent running until Ctrl-C, and print how to reach them.")
    var keep = false

    func run() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bosun-demo-\(getpid())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }

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

        step("starting bosun-agent --node \(agentNode)")
        let agentLog = directory + "/agent.log"
        let agent = try LocalProcesses.start(
            LocalProcesses.sibling("bosun-agent"),
            ["--node", agentNode, "--server", url, "--data-dir", directory + "/" + agentNode], log: agentLog)
        defer { LocalProcesses.stop(agent) }
        try await LocalProcesses.waitFor(timeout: 15, "the agent to subscribe") {
            ((try? String(contentsOfFile: agentLog, encoding: .utf8)) ?? "").contains("listening")
        }

        for arguments in [
            ["--method", "ping"],
            ["--", "uname", "-a"],
            ["--", "sh", "-c", "echo hello from $(hostname); exit 3"],
        ] {
            let shown = (["bosun", "send", "--to", agentNode] + arguments).joined(separator: " ")
            step(shown)
            let status = try LocalProcesses.runToEnd(
                LocalProcesses.sibling("bosun"), ["send", "--server", url, "--to", agentNode] + arguments)
            print("  → exit \(status)")
        }
        if keep {
            step("running; try: BOSUN_SERVER=\(url) bosun send --to \(agentNode) -- uptime   (Ctrl-C to stop)")
            while true { try await Task.sleep(for: .seconds(3600)) }
        }
        step("done; the demo's server and agent are stopped")
    }

    private func step(_ text: String) {
        print("\u{1B}[1m▸ \(text)\u{1B}[0m")
        // The sends below write to the same terminal from child processes: keep the order on screen.
        fflush(nil)
    }
}
