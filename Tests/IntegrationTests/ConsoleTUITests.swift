import Foundation
import Testing

/// The console as an operator meets it: the real `bosun` in a real terminal (tmux), a real nats-server and
/// real agents, checked only through what the screen shows.
@Suite(.serialized)
struct ConsoleTUITests {
    /// Agents hello every 1.5 s, so stale (after 3 s) and down (after 9 s) come within seconds, and stale lasts
    /// long enough (6 s) to be seen on a machine busy with the other suites.
    private static let fastHellos = ["--hello-interval", "1.5"]

    @Test func consoleFollowsTheFleetLive() async throws {
        try await withNATSServer { server in
            try await withTemporaryDirectory { directory in
                try await withTmux { tmux in
                    try await scenario(server: server.url, directory: directory, tmux: tmux)
                }
            }
        }
    }

    private func scenario(server: String, directory: String, tmux: TmuxSession) async throws {
        let garage = AgentProcess(node: "pi-garage", server: server, dataDirectory: directory + "/pi-garage")
        let kitchen = AgentProcess(node: "pi-kitchen", server: server, dataDirectory: directory + "/pi-kitchen")
        try await garage.start(extraArguments: Self.fastHellos)
        defer { garage.stop() }
        try await kitchen.start(extraArguments: Self.fastHellos)
        defer { kitchen.stop() }

        let central = directory + "/central"
        // A short first retry wait keeps the probes of a node that is down close together.
        try tmux.start(
            cols: 120, rows: 40, [Binaries.bosun, "--server", server, "--data-dir", central, "--retry-wait", "0.2", "--auto-approve"])
        let console = ConsoleDriver(tmux: tmux, logPath: central + "/console.log")

        var screen = try await console.waitFor("both nodes up") {
            $0.node("pi-garage") == "up" && $0.node("pi-kitchen") == "up"
        }
        #expect(screen.lines[0].contains("● connected") && screen.lines[0].contains("2 nodes: 2 up"))
        try await console.shoot("1-nodes-up")

        try await console.compose("pi-garage sh -c 'echo garage-$((6*7))'")
        try await console.waitFor("the command acked") { $0.messages(to: "pi-garage").first == "acked" }
        // The Messages pane (2) selects the newest message and the Detail pane shows its output.
        try await tmux.press("2", "g")
        try await console.waitFor("the command's output") { $0.text.contains("garage-42") }
        try await console.shoot("2-command-acked")

        kitchen.stop(signal: SIGKILL)
        try await console.waitFor("pi-kitchen stale") { $0.node("pi-kitchen") == "stale" }
        try await console.shoot("3-node-stale")
        try await console.waitFor("pi-kitchen down") { $0.node("pi-kitchen") == "down" }

        try await console.compose("pi-kitchen sh -c 'echo kitchen-$((6*7))'")
        screen = try await console.waitFor("the command to the dead node pending") {
            ["queued", "sending"].contains($0.messages(to: "pi-kitchen").first)
        }
        #expect(screen.node("pi-kitchen") == "down")
        #expect(screen.lines[0].contains("outbox 1"))
        try await console.shoot("4-pending-while-down")

        try await kitchen.start(extraArguments: Self.fastHellos)
        screen = try await console.waitFor("the pending command delivered after the restart") {
            $0.messages(to: "pi-kitchen").first == "acked" && $0.text.contains("delivered")
        }
        #expect(screen.node("pi-kitchen") == "up")
        #expect(screen.lines[0].contains("outbox 0"))
        try await console.shoot("5-delivered-after-restart")
        try await tmux.press("g")
        try await console.waitFor("pi-kitchen's output in the Detail pane") { $0.text.contains("kitchen-42") }

        try await tmux.press("1")
        try await tmux.resize(cols: 60, rows: 20)
        screen = try await console.waitFor("one pane at 60×20") {
            $0.lines.count == 20 && $0.lines[1].hasPrefix("┌ [1] Nodes") && $0.lines[1].contains("Tab: next pane")
        }
        #expect(screen.lines.allSatisfy { $0.count <= 60 })
        #expect(screen.node("pi-kitchen") == "up" && screen.node("pi-garage") == "up")
        try await console.shoot("6-small-60x20")

        try await tmux.resize(cols: 120, rows: 40)
        screen = try await console.waitFor("both panes again at 120×40") {
            $0.lines.count == 40 && $0.lines[1].contains("[2] Messages") && $0.lines[1].hasSuffix("┐")
        }
        #expect(screen.lines.allSatisfy { $0.count <= 120 })
        #expect(screen.lines[39].hasPrefix(" ? help"))
        #expect(screen.messages(to: "pi-garage") == ["acked"] && screen.messages(to: "pi-kitchen") == ["acked"])
        try await console.shoot("7-back-to-120x40")

        try await tmux.press("q")
        let ended = try await eventually(timeout: .seconds(10), interval: .milliseconds(100)) {
            try await !tmux.isRunning()
        }
        #expect(ended, "bosun did not exit on q")
        let history = try String(contentsOfFile: central + "/history", encoding: .utf8)
        #expect(history.contains("pi-garage sh -c 'echo garage-$((6*7))'\n"))
        #expect(history.contains("pi-kitchen sh -c 'echo kitchen-$((6*7))'\n"))
    }
}
