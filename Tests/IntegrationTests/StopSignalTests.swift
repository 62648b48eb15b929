import Foundation
import Testing

/// Stopping a real agent with signals: the first SIGTERM lets what runs finish, a second one ends that wait.
struct StopSignalTests {
    /// The second signal at once, and after the agent has given back its start-up's pages during the grace period
    /// (a part that ended then, before its turn, failed the whole stop: the agent exited 1).
    @Test(arguments: [Duration.zero, .seconds(7)])
    func aSecondSIGTERMEndsTheGracePeriodAtOnceAndTheAgentExitsZero(after pause: Duration) async throws {
        try await withCentral { server, directory, central in
            let agent = AgentProcess(node: "edge", server: server.url, dataDirectory: directory + "/edge")
            defer { agent.stop(signal: SIGKILL) }
            try await agent.start(extraArguments: ["--stop-grace", "600"])
            let marker = directory + "/started.txt"
            try central.write(
                inmsg: #"{"toNode":"edge","method":"cliCommand","methodArgs":["sh","-c","echo started > \#(marker); exec sleep 600"],"methodTimeout":900}"#
            )
            #expect(await eventually(timeout: .seconds(30)) { FileManager.default.fileExists(atPath: marker) })
            let pid = try #require(agent.child?.pid)
            kill(pid, SIGTERM)
            #expect(await eventually { agent.log.contains("stopping: no new messages; waiting up to 600 s") })
            try await Task.sleep(for: pause)
            kill(pid, SIGTERM)
            // The command runs for 600 s and the grace period is as long: only the second signal can end the agent now.
            #expect(await eventually(timeout: .seconds(60)) { agent.child?.isRunning == false })
            #expect(agent.child?.exitStatus == 0, "\(agent.log.suffix(2500))")
            #expect(agent.log.contains("stopping with messages still running"))
        }
    }
}
