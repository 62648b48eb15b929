import Foundation
import Testing

/// The console's fan-out as an operator meets it: one command to every node from the compose bar, one row in
/// Messages, and its grouped view. Real `bosun` in tmux, real nats-server and agents; checked on the screen only.
/// (Its name ends in ConsoleTUITests so `make screenshots` runs it too.)
@Suite(.serialized)
struct FanOutConsoleTUITests {
    @Test func aFanOutIsOneRowAndItsGroupedViewFoldsIdenticalOutput() async throws {
        try await withNATSServer { server in
            try await withTemporaryDirectory { directory in
                try await withTmux { tmux in
                    try await scenario(server: server.url, directory: directory, tmux: tmux)
                }
            }
        }
    }

    private func scenario(server: String, directory: String, tmux: TmuxSession) async throws {
        var agents: [AgentProcess] = []
        defer { agents.forEach { $0.stop() } }
        for name in ["pi-1", "pi-2", "pi-10"] {
            let agent = AgentProcess(node: name, server: server, dataDirectory: directory + "/" + name)
            try await agent.start(extraArguments: ["--hello-interval", "0.5"])
            agents.append(agent)
        }
        let central = directory + "/central"
        try tmux.start(cols: 120, rows: 40, [Binaries.bosun, "--server", server, "--data-dir", central, "--auto-approve"])
        let console = ConsoleDriver(tmux: tmux, logPath: central + "/console.log")
        try await console.waitFor("three nodes up") { screen in
            ["pi-1", "pi-2", "pi-10"].allSatisfy { screen.node($0) == "up" }
        }

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
