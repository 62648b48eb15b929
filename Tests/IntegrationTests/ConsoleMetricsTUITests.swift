import Foundation
import Testing

/// The console's metrics and logs as an operator meets them: the real `bosun` in tmux, a real nats-server and
/// real agents sending metrics and logs; checked only through the screen.
@Suite(.serialized)
struct ConsoleMetricsTUITests {
    private static let agentOptions = ["--hello-interval", "0.5", "--metrics-interval", "0.5"]

    @Test func metricsColumnsSparklinesLogsAndOverviewFollowTheFleet() async throws {
        try await withNATSServerAndDirectory { server, directory in
            try await withTmux { tmux in try await scenario(server: server, directory: directory, tmux: tmux) }
        }
    }

    private func scenario(server: String, directory: String, tmux: TmuxSession) async throws {
        let agents = ["pi-garage", "pi-kitchen"].map {
            AgentProcess(node: $0, server: server, dataDirectory: directory + "/" + $0)
        }
        defer { agents.forEach { $0.stop() } }
        for agent in agents { try await agent.start(extraArguments: Self.agentOptions) }
        let garage = agents[0]
        let central = directory + "/central"
        try tmux.start(cols: 120, rows: 40, [Binaries.bosun, "--server", server, "--data-dir", central, "--auto-approve"])
        let console = ConsoleDriver(tmux: tmux, logPath: central + "/console.log")

        // Each node's row gets its CPU, MEM and DISK (this machine may have no thermal zone: TEMP may be `-`).
        // A value past its threshold ends in `!` (`93%!`, `100!`).
        let percent = #"\d+(%!?|!)"#
        let row = try Regex(#"pi-(garage|kitchen) +● up +\S+ +\d+ +"# + [percent, percent, percent].joined(separator: " +"))
        var screen = try await console.waitFor("both nodes' metrics in the Nodes pane") { screen in
            screen.lines[2].contains("CPU  MEM DISK TEMP") && screen.lines.filter { $0.contains(row) }.count == 2
        }
        #expect(!screen.lines[2].contains("VERSION"))
        // The selected node's Detail pane draws sparklines (five samples and more), with the newest value, min and max.
        let sparkline = try Regex(#"│ (cpu|mem)  [▁▂▃▄▅▆▇█]{5,} \d+%?!? +min \d+% +max \d+%"#)
        screen = try await console.waitFor("sparklines in the Detail pane") { screen in
            screen.lines.filter { $0.contains(sparkline) }.count == 2
        }
        try await console.shoot("8-metrics")

        let socket = garage.dataDirectory + "/bosun.sock"
        _ = try exchange(unixSocket: socket, #"{"toNode":"central","method":"log","methodArgs":["app"],"data":"first line"}"#)
        try await tmux.press("1", "g", "l")
        try await console.waitFor("pi-garage's log in the Logs view") { screen in
            screen.lines[1].contains("Logs · pi-garage") && screen.text.contains("app first line")
        }
        _ = try exchange(unixSocket: socket, #"{"toNode":"central","method":"log","methodArgs":["app"],"data":"second line"}"#)
        screen = try await console.waitFor("the new line followed") { $0.text.contains("app second line") }
        #expect(screen.lines[1].contains("following"))
        try await console.shoot("9-logs-following")

        try await tmux.press("Escape", "o")
        screen = try await console.waitFor("the fleet overview") { screen in
            screen.lines[1].contains("Fleet overview") && screen.lines[2].contains("2 nodes: 2 ● up")
                && screen.lines[4].contains("Highest CPU") && screen.lines[5].contains("pi-")
        }
        #expect(screen.lines[4].contains("Fullest disk") && screen.lines[4].contains("Deepest queues"))
        try await console.shoot("10-fleet-overview")
        try await tmux.press("Escape", "q")
        let ended = try await eventually(timeout: .seconds(10), interval: .milliseconds(100)) { try await !tmux.isRunning() }
        #expect(ended, "bosun did not exit on q")
    }
}
