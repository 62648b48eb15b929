import Foundation
import Shared
import Testing

/// `--insecure-sign-nothing` (hidden; the bench's engine without cryptography): a node that signs no message and no
/// answer, only beside `--insecure-accept-unsigned`.
@Suite(.serialized)
struct SignNothingTests {
    @Test func signingNothingNeedsTakingUnsignedMessages() async throws {
        try await withServerAndDirectory { server, directory in
            // Under `timeout`: an agent that started after all would keep running.
            let result = try await runProgram("/usr/bin/timeout", [
                "20", Binaries.agent,
                "--node", "edge", "--server", server, "--data-dir", directory + "/edge", "--insecure-sign-nothing",
            ])
            #expect(result.status != 0)
            #expect(result.stderr.contains("--insecure-sign-nothing needs --insecure-accept-unsigned"), "\(result.stderr)")
        }
    }

    @Test func anAgentThatSignsNothingAnswersUnsignedWhereItWouldSign() async throws {
        try await withServerAndDirectory { server, directory in
            let client = try await NATSConnection.connect(NATSConfiguration(servers: [server]))
            /// The answer of `node` to an unsigned ping.
            func answer(of node: String) async throws -> Reply {
                let ping = try Message(toNode: node, method: .ping).accepted(from: "tester", defaults: .standard)[0]
                let subject = try #require(ping.subject?.description)
                return try Reply.decode(try await client.request(subject, payload: ping.encoded(), timeout: .seconds(10)).payload)
            }
            // An agent that takes unsigned messages signs its answer to one.
            let signing = AgentProcess(node: "signing", server: server, dataDirectory: directory + "/signing")
            defer { signing.stop() }
            try await signing.start(extraArguments: ["--insecure-accept-unsigned"])
            let signed = try await answer(of: "signing")
            #expect(signed.status == .ok)
            #expect(signed.signedBy != nil && signed.signature != nil, "\(signed)")

            // One that signs nothing answers the same ping unsigned, and says so when it starts.
            let silent = AgentProcess(node: "silent", server: server, dataDirectory: directory + "/silent")
            defer { silent.stop() }
            try await silent.start(extraArguments: ["--insecure-accept-unsigned", "--insecure-sign-nothing"])
            let unsigned = try await answer(of: "silent")
            #expect(unsigned.status == .ok)
            #expect(unsigned.signedBy == nil && unsigned.signature == nil && unsigned.mac == nil, "\(unsigned)")
            #expect(silent.log.contains("INSECURE: --insecure-sign-nothing: silent signs no message and no answer"))
            await client.close()
        }
    }
}
