import Foundation
import Testing

/// NATS-level security end to end: a real nats-server configured for TLS, client certificates, user and password,
/// token, NKey or operator mode (`.creds`), a real agent connecting with the matching options, and a real
/// `bosun send` carrying a command to it. Keys and certificates are made by each test.
@Suite(.serialized)
struct NATSSecurityTests {
    @Test func aTLSOnlyServerRefusesPlainConnectionsAndCarriesACommandOverVerifiedTLS() async throws {
        try await withTemporaryDirectory { directory in
            let (pki, server) = try await startTLSServer(directory: directory, verifyClients: false)
            defer { server.stop() }

            // A client that stays in plain text gets no answer: the server asks for TLS and hangs up.
            let exchange = try PlainNATSClient.exchange(port: server.port)
            #expect(exchange.contains("\"tls_required\":true"), "\(exchange)")
            #expect(!exchange.contains("PONG"), "\(exchange)")
            // bosun without TLS options: libnats upgrades by itself, and cannot trust the server's certificate.
            for options in [["--connect-timeout", "1"], ["--tls", "--connect-timeout", "1"]] {
                let refused = try await send(server: server.url(), options, directory: directory)
                #expect(refused.status == 69)
                #expect(refused.stderr.contains("TLS handshake failed"), "\(refused.stderr)")
                #expect(refused.stderr.contains("--tls-ca"), "\(refused.stderr)")
            }

            try await expectRoundTrip(server: server.url(), ["--tls-ca", pki.caFile], directory: directory)
        }
    }

    @Test func aServerThatVerifiesClientsTakesTheirCertificates() async throws {
        try await withTemporaryDirectory { directory in
            let (pki, server) = try await startTLSServer(directory: directory, verifyClients: true)
            defer { server.stop() }

            let anonymous = try await send(
                server: server.url(), ["--tls-ca", pki.caFile, "--connect-timeout", "1"], directory: directory)
            #expect(anonymous.status == 69, "\(anonymous.stdout)\(anonymous.stderr)")
            #expect(anonymous.stderr.contains("--tls-cert"), "\(anonymous.stderr)")

            try await expectRoundTrip(
                server: server.url(),
                ["--tls-ca", pki.caFile, "--tls-cert", pki.clientCertificate, "--tls-key", pki.clientKey],
                directory: directory)
        }
    }

    /// The `authorization` block of the server, the credentials in the URL, and wrong ones.
    enum URLCredential: String, CaseIterable, Sendable {
        case userAndPassword
        case token

        var authorization: String {
            switch self {
            case .userAndPassword: return #"authorization { user: "bosun", password: "s3cr3t-pw" }"#
            case .token: return #"authorization { token: "t0ken-s3cr3t" }"#
            }
        }

        var inURL: String { self == .userAndPassword ? "bosun:s3cr3t-pw" : "t0ken-s3cr3t" }
        var wrongInURL: String { self == .userAndPassword ? "bosun:wrong" : "wrong-token" }
    }

    @Test(arguments: URLCredential.allCases)
    func credentialsInTheURLAuthenticate(_ credential: URLCredential) async throws {
        try await withTemporaryDirectory { directory in
            let server = ConfiguredNATSServer(directory: directory + "/nats")
            try await server.start(configuration: credential.authorization)
            defer { server.stop() }

            let refused = try await send(
                server: server.url(credentials: credential.wrongInURL), ["--connect-timeout", "1"],
                directory: directory)
            #expect(refused.status == 69)
            #expect(refused.stderr.contains("the server refused the credentials"), "\(refused.stderr)")
            // The error shows the servers, but never the secret.
            #expect(!refused.stderr.contains("wrong"), "\(refused.stderr)")

            try await expectRoundTrip(server: server.url(credentials: credential.inURL), [], directory: directory)
        }
    }

    @Test func anNKeyAuthenticates() async throws {
        try await withTemporaryDirectory { directory in
            let keys = try await TestNKeys.make(in: directory)
            let server = ConfiguredNATSServer(directory: directory + "/nats")
            try await server.start(configuration: #"authorization { users: [ { nkey: "\#(keys.userPublicKey)" } ] }"#)
            defer { server.stop() }

            let anonymous = try await send(server: server.url(), ["--connect-timeout", "1"], directory: directory)
            #expect(anonymous.status == 69)
            #expect(anonymous.stderr.contains("--nkey"), "\(anonymous.stderr)")
            let noSeed = try await send(
                server: server.url(), ["--nkey", keys.userPublicKey, "--nkey-seed", directory + "/missing.nk"],
                directory: directory)
            #expect(noSeed.stderr.contains("NKey seed file (--nkey-seed) \(directory)/missing.nk cannot be read"),
                "\(noSeed.stderr)")

            try await expectRoundTrip(
                server: server.url(), ["--nkey", keys.userPublicKey, "--nkey-seed", keys.userSeedFile],
                directory: directory)
        }
    }

    @Test func aCredsFileAuthenticatesAgainstAnOperatorModeServer() async throws {
        try await withTemporaryDirectory { directory in
            let keys = try await TestNKeys.make(in: directory)
            let server = ConfiguredNATSServer(directory: directory + "/nats")
            try await server.start(configuration: """
                operator: "\(keys.operatorJWTFile)"
                resolver: MEMORY
                resolver_preload: { \(keys.accountPublicKey): "\(keys.accountJWT)" }
                """)
            defer { server.stop() }

            let anonymous = try await send(server: server.url(), ["--connect-timeout", "1"], directory: directory)
            #expect(anonymous.status == 69)
            #expect(anonymous.stderr.contains("--creds"), "\(anonymous.stderr)")

            try await expectRoundTrip(server: server.url(), ["--creds", keys.credentialsFile], directory: directory)
        }
    }

    /// A TLS-only server with a certificate from a new test CA; with `verifyClients`, it wants theirs too.
    private func startTLSServer(directory: String, verifyClients: Bool) async throws
        -> (TestPKI, ConfiguredNATSServer)
    {
        let pki = try await TestPKI.make(in: directory)
        let server = ConfiguredNATSServer(directory: directory + "/nats")
        let verify = verifyClients ? "ca_file: \"\(pki.caFile)\"\n  verify: true" : ""
        try await server.start(configuration: """
            tls {
              cert_file: "\(pki.serverCertificate)"
              key_file: "\(pki.serverKey)"
              \(verify)
            }
            """)
        return (pki, server)
    }

    /// An agent connects with `options`; `bosun send` with the same options runs a command on it.
    private func expectRoundTrip(server: String, _ options: [String], directory: String) async throws {
        let agent = AgentProcess(node: "edge", server: server, dataDirectory: directory + "/edge")
        defer { agent.stop() }
        try await agent.start(extraArguments: options)
        let result = try await send(server: server, options, directory: directory, words: ["echo", "secured"])
        #expect(result.status == 0, "\(result.stderr)\nagent:\n\(agent.log)")
        #expect(result.stdout == "secured\n")
    }

    /// `bosun send --to edge OPTIONS -- WORDS` against `server`, with its own data directory.
    private func send(server: String, _ options: [String], directory: String, words: [String] = ["true"])
        async throws -> RunResult
    {
        try await bosun(
            ["send", "--to", "edge"] + options + ["--"] + words, server: server,
            dataDirectory: directory + "/central")
    }
}
