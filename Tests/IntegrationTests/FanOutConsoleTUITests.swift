import Foundation
import Testing

/// The console's fan-out as an operator meets it: one command to every node from the compose bar, one row in
/// Messages, and its grouped view. Real `bosun` in tmux, real nats-server and agents; checked on the screen only.
/// (Its name ends in ConsoleTUITests so `make screenshots` runs it too.)
@Suite(.serialized)
struct FanOutConsoleTUITests {
    @Test func aFanOutIsOneRowAndItsGroupedViewFoldsIdenticalOutput() async throws {
        try await withConsole(nodes: ["pi-1", "pi-2", "pi-10"]) { _, _, _, tmux, console in
            try await scenario(tmux: tmux, console: console)
        }
    }

    @Test func aRolloutIsPausedThenAbortedFromTheRolloutsView() async throws {
        try await withConsole(nodes: ["r-1", "r-2", "r-3"]) { server, directory, central, tmux, console in
            try await rolloutScenario(server: server, directory: directory, central: central, tmux: tmux, console: console)
        }
    }

    /// A nats-server, agents for `nodes` and the console in tmux at 120×40 with every node up; all stopped after.
    private func withConsole(
        nodes: [String],
        _ body: (_ server: String, _ directory: String, _ central: String, TmuxSession, ConsoleDriver) async throws -> Void
    ) async throws {
        try await withNATSServer { server in
            try await withTemporaryDirectory { directory in
                try await withTmux { tmux in
                    var agents: [AgentProcess] = []
                    defer { agents.forEach { $0.stop() } }
                    for name in nodes {
                        let agent = AgentProcess(node: name, server: server.url, dataDirectory: directory + "/" + name)
                        try await agent.start(extraArguments: ["--hello-interval", "0.5"])
                        agents.append(agent)
                    }
                    let central = directory + "/central"
                    try tmux.start(cols: 120, rows: 40, [Binaries.bosun, "--server", server.url, "--data-dir", central, "--auto-approve"])
                    let console = ConsoleDriver(tmux: tmux, logPath: central + "/console.log")
                    try await console.waitFor("every node up") { screen in nodes.allSatisfy { screen.node($0) == "up" } }
                    try await body(server.url, directory, central, tmux, console)
                }
            }
        }
    }

    private func rolloutScenario(
        server: String, directory: String, central: String, tmux: TmuxSession, console: ConsoleDriver
    ) async throws {
        // Handed to the console's engine; a long wait between batches leaves time to pause it.
        let send = try BackgroundProgram(
            Binaries.bosun,
            ["send", "--to", "r-1,r-2,r-3", "--canary", "1", "--batch", "1", "--batch-wait", "30", "--", "echo", "done"],
            environment: ["BOSUN_SERVER": server, "BOSUN_DATA_DIR": central], directory: directory)
        defer { send.signal(SIGKILL) }
        try await tmux.press("R")
        try await console.waitFor("the rollout, its canary done") { screen in
            screen.lines.contains { $0.contains("running") && $0.contains("canary (1/3)") && $0.contains("1 ok") }
        }
        try await tmux.press("P")
        try await console.waitFor("the confirmation") { $0.text.contains("Pause rollout") && $0.text.contains("? y/n") }
        try await console.shoot("8-rollout-pause")
        try await tmux.press("y")
        try await console.waitFor("the rollout paused") { screen in
            screen.lines.contains { $0.contains("paused") && $0.contains("canary (1/3)") }
        }
        try await tmux.press("X", "y")
        try await console.waitFor("the rollout aborted, two nodes not sent") { screen in
            screen.lines.contains { $0.contains("aborted") && $0.contains("2 not sent") }
        }
        let status = await send.exitStatus(within: .seconds(30))
        #expect(status == 1, "\(send.stdout)\(send.stderr)")
        #expect(send.stdout.contains("aborted by the operator; not sent: r-[2-3]"), "\(send.stdout)")
        try await tmux.press("Escape", "q")
        let ended = try await eventually(timeout: .seconds(10), interval: .milliseconds(100)) { try await !tmux.isRunning() }
        #expect(ended, "bosun did not exit on q")
    }

    private func scenario(tmux: TmuxSession, console: ConsoleDriver) async throws {
        // pi-10 answers differently: its agent's command line names it.
        try await console.compose("* sh -c 'grep -q pi-10 /proc/$PPID/cmdline && echo ten || echo small'")
        try await console.waitFor("the fan-out as one row, all three acked") {
            $0.lines.contains { $0.contains("3 nodes") && $0.contains("cliCommand") && $0.contains("✓3") }
        }
        try await tmux.press("2", "g", "Enter")
        let screen = try await console.waitFor("the grouped view") { $0.text.contains("Fan-out") }
        #expect(screen.text.contains("3 nodes: 3 ok"), "\(screen.text)")
        #expect(screen.text.contains("▶ pi-[1-2] (ok, exit 0)"), "\(screen.text)")
        #expect(screen.text.contains("    small") && screen.text.contains("  pi-10 (ok, exit 0)"), "\(screen.text)")
        try await console.shoot("8-fan-out-grouped")
        try await tmux.press("Tab")
        try await console.waitFor("Tab on the group's second node") { $0.text.contains("Tab: pi-2 (2 of 2)") }
        try await tmux.press("j", "Enter")
        try await console.waitFor("pi-10's output in the viewer") {
            $0.text.contains("ten") && !$0.text.contains("Fan-out")
        }
        try await tmux.press("Escape", "q")
        let ended = try await eventually(timeout: .seconds(10), interval: .milliseconds(100)) {
            try await !tmux.isRunning()
        }
        #expect(ended, "bosun did not exit on q")
    }
}
