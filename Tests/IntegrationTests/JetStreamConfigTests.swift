import Foundation
import Shared
import Testing

/// The JetStream examples under deploy/nats: valid, and, started as shipped (moved onto loopback), they keep a
/// stream across a restart (one server) and elect a leader and keep three replicas (the cluster).
@Suite(.serialized)
struct JetStreamConfigTests {
    @Test(arguments: ["js-single.conf", "js-cluster-1.conf", "js-cluster-2.conf", "js-cluster-3.conf"])
    func jetStreamExampleIsValid(_ name: String) async throws {
        let check = try await runProgram(NATSServer.executable, ["-t", "-c", JetStreamServer.examples + "/" + name])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
    }

    @Test func theSingleServerKeepsItsMailboxAcrossARestart() async throws {
        try await withJetStreamServer { server in
            try await withJetStreamClient(server.url) { client in
                try await client.js.ensureStream(.mailbox(replicas: 1, maxAge: .seconds(3600)))
                for index in 0..<3 {
                    try await client.js.publish(
                        MailboxSubjects.mailbox(node: "pi-1", id: "m\(index)"), payload: Array("\(index)".utf8),
                        messageID: "m\(index)")
                }
            }
            server.stop(signal: SIGKILL)
            try await server.start()

            try await withJetStreamClient(server.url) { client in
                let state = try await client.js.ensureStream(.mailbox(replicas: 1, maxAge: .seconds(3600)))
                #expect(state.messages == 3)
                let read = try await client.read(node: "pi-1", after: 0, count: 3)
                #expect(read.map { String(decoding: $0.payload, as: UTF8.self) } == ["0", "1", "2"])
            }
        }
    }

    @Test func theClusterKeepsThreeReplicas() async throws {
        try await withJetStreamCluster { cluster in
            try await withJetStreamClient(cluster.urls) { client in
                try await client.js.ensureStream(.mailbox(replicas: 3, maxAge: .seconds(3600)))
                try await client.js.publish(MailboxSubjects.mailbox(node: "pi-1", id: "a"), payload: [1], messageID: "a")
            }
            // Every server stores its replica in its own store directory.
            let stored = await eventually {
                cluster.servers.allSatisfy { server in
                    FileManager.default.fileExists(atPath: server.directory + "/store/jetstream/$G/streams/BOSUN_MAILBOX")
                }
            }
            #expect(stored, "\(cluster.servers.map(\.directory))")
        }
    }
}

/// A test's connection to JetStream.
struct JetStreamClient {
    let connection: NATSConnection
    let js: JetStream


    /// Reads `count` messages of `node`'s mailbox after sequence `after`, through an ordered reader; fails after
    /// a deadline with what it had.
    func read(node: String, after: UInt64, count: Int) async throws -> [JetStreamMessage] {
        let reader = try await js.orderedReader(
            stream: MailboxSubjects.mailboxStream, subject: MailboxSubjects.mailbox(node: node), after: after)
        defer { reader.stop() }
        return try await collect(reader, count: count)
    }
}

/// Runs `body` with a JetStream client connected to `servers` (comma-separated), closed afterwards on every path.
func withJetStreamClient<T>(_ servers: String, _ body: (JetStreamClient) async throws -> T) async throws -> T {
    let connection = try await NATSConnection.connect(
        NATSConfiguration(servers: servers.split(separator: ",").map(String.init)))
    do {
        let result = try await body(JetStreamClient(connection: connection, js: try JetStream(connection: connection)))
        await connection.close()
        return result
    } catch {
        await connection.close()
        throw error
    }
}

/// The first `count` elements of `sequence`, or a failure naming how many came within `timeout`.
func collect<S: AsyncSequence & Sendable>(_ sequence: S, count: Int, timeout: Duration = .seconds(30)) async throws
    -> [S.Element] where S.Element: Sendable
{
    try await withThrowingTaskGroup(of: [S.Element]?.self) { group in
        group.addTask {
            var items: [S.Element] = []
            for try await item in sequence {
                items.append(item)
                if items.count == count { break }
            }
            return items
        }
        group.addTask {
            try await Task.sleep(for: timeout)
            return nil
        }
        defer { group.cancelAll() }
        guard let items = try await group.next() ?? nil else {
            throw TestFailure("fewer than \(count) messages within \(timeout)")
        }
        return items
    }
}
