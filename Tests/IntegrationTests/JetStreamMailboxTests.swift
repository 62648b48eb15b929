import Foundation
import Shared
import Testing

/// The JetStream bridge against a real three-server cluster on loopback: streams, publishes acknowledged by the
/// stream and stored once per message id, a node's mailbox read in order from a place, both reader designs.
@Suite(.serialized)
struct JetStreamMailboxTests {
    static let mailbox = JetStreamStreamConfiguration.mailbox(replicas: 3, maxAge: .seconds(3600))

    @Test func aRepeatedPublishUnderOneIdIsStoredOnceAndHeadersTravelUnchanged() async throws {
        try await withJetStreamCluster { cluster in
            try await withJetStreamClient(cluster.urls) { client in
                try await client.js.ensureStream(Self.mailbox)
                let headers = ["Bosun-Key": "a2V5", "Bosun-Sig": "c2ln"]
                let subject = MailboxSubjects.mailbox(node: "pi-1", id: "m1")
                let first = try await client.js.publish(subject, payload: Array("x".utf8), messageID: "m1", headers: headers)
                let again = try await client.js.publish(subject, payload: Array("x".utf8), messageID: "m1", headers: headers)
                #expect(first.stream == "BOSUN_MAILBOX")
                #expect(!first.duplicate)
                #expect(again.duplicate)
                #expect(again.sequence == first.sequence)
                #expect(try await client.js.streamState("BOSUN_MAILBOX").messages == 1)
                let read = try await client.read(node: "pi-1", after: 0, count: 1)
                #expect(read.first?.headers["Bosun-Key"] == "a2V5")
                #expect(read.first?.headers["Bosun-Sig"] == "c2ln")
                #expect(read.first?.headers["Nats-Msg-Id"] == "m1")
            }
        }
    }

    @Test func anOrderedReaderReadsOnlyItsNodeInOrderFromItsPlaceThenLive() async throws {
        try await withJetStreamCluster { cluster in
            try await withJetStreamClient(cluster.urls) { client in
                try await client.js.ensureStream(Self.mailbox)
                // Two nodes' messages interleaved in the stream.
                var sequences: [UInt64] = []
                for index in 0..<10 {
                    for node in ["pi-1", "pi-2"] {
                        let ack = try await client.js.publish(
                            MailboxSubjects.mailbox(node: node, id: "\(node)-\(index)"), payload: Array("\(index)".utf8),
                            messageID: "\(node)-\(index)")
                        if node == "pi-1" { sequences.append(ack.sequence) }
                    }
                }
                let all = try await client.read(node: "pi-1", after: 0, count: 10)
                #expect(all.map(\.streamSequence) == sequences)
                #expect(all.allSatisfy { $0.subject.hasPrefix("bosun.mbox.pi-1.") })

                // From the place after the fourth: the six after it, then one stored while reading.
                let reader = try await client.js.orderedReader(
                    stream: MailboxSubjects.mailboxStream, subject: MailboxSubjects.mailbox(node: "pi-1"),
                    after: sequences[3])
                defer { reader.stop() }
                var iterator = reader.makeAsyncIterator()
                var rest: [String] = []
                for _ in 0..<6 { if let message = await iterator.next() { rest.append(String(decoding: message.payload, as: UTF8.self)) } }
                #expect(rest == ["4", "5", "6", "7", "8", "9"])
                try await client.js.publish(MailboxSubjects.mailbox(node: "pi-1", id: "live"), payload: Array("live".utf8), messageID: "live")
                let live = await iterator.next()
                #expect(live.map { String(decoding: $0.payload, as: UTF8.self) } == "live")
            }
        }
    }

    @Test func aDurableReaderRedeliversWhatWasNotAcknowledgedAndKeepsItsPlace() async throws {
        try await withJetStreamCluster { cluster in
            try await withJetStreamClient(cluster.urls) { client in
                try await client.js.ensureStream(Self.mailbox)
                for index in 0..<4 {
                    try await client.js.publish(
                        MailboxSubjects.mailbox(node: "pi-1", id: "m\(index)"), payload: Array("\(index)".utf8),
                        messageID: "m\(index)")
                }
                let reader = try await client.js.durableReader(
                    stream: MailboxSubjects.mailboxStream, node: "pi-1", ackWait: .seconds(5))
                var first: [JetStreamMessage] = []
                #expect(await eventually {
                    first += (try? await reader.fetch(batch: 4 - first.count, wait: .seconds(1))) ?? []
                    return first.count == 4
                })
                #expect(first.map { String(decoding: $0.payload, as: UTF8.self) } == ["0", "1", "2", "3"])
                // Acknowledge the first two only: the others come again once the ack wait passes, as redeliveries.
                for message in first.prefix(2) { try await client.js.acknowledge(message) }
                var again: [JetStreamMessage] = []
                func payloads() -> Set<String> { Set(again.map { String(decoding: $0.payload, as: UTF8.self) }) }
                #expect(await eventually(timeout: .seconds(30)) {
                    again += (try? await reader.fetch(batch: 2, wait: .seconds(1))) ?? []
                    return payloads() == ["2", "3"]
                })
                #expect(payloads() == ["2", "3"])
                #expect(again.allSatisfy { $0.deliveries >= 2 })
                for message in again { try await client.js.acknowledge(message) }

                // A new reader on the same consumer (the node reconnected) gets only what is new.
                let later = try await client.js.durableReader(stream: MailboxSubjects.mailboxStream, node: "pi-1")
                try await client.js.publish(MailboxSubjects.mailbox(node: "pi-1", id: "m4"), payload: Array("4".utf8), messageID: "m4")
                var next: [JetStreamMessage] = []
                #expect(await eventually {
                    next += (try? await later.fetch(batch: 1, wait: .seconds(1))) ?? []
                    return !next.isEmpty
                })
                #expect(next.map { String(decoding: $0.payload, as: UTF8.self) } == ["4"])
                #expect(try await client.js.streamState("BOSUN_MAILBOX").consumers == 1)
            }
        }
    }

    @Test func aServerKilledWhileMessagesStreamLosesNoneAndDuplicatesNone() async throws {
        try await withJetStreamCluster { cluster in
            try await withJetStreamClient(cluster.urls) { client in
                try await client.js.ensureStream(Self.mailbox)
                let reader = try await client.js.orderedReader(
                    stream: MailboxSubjects.mailboxStream, subject: MailboxSubjects.mailbox(node: "pi-1"), after: 0)
                defer { reader.stop() }
                async let received = collect(reader, count: 300, timeout: .seconds(90))
                for index in 0..<300 {
                    if index == 100 {
                        // The server this client is on dies: publishes move to a survivor and are retried there.
                        let victim = try #require(cluster.servers.first {
                            client.connection.connectedURL?.contains(":\($0.port)") ?? false
                        })
                        victim.stop(signal: SIGKILL)
                    }
                    try await client.js.publish(
                        MailboxSubjects.mailbox(node: "pi-1", id: "m\(index)"), payload: Array("\(index)".utf8),
                        messageID: "m\(index)", retryFor: .seconds(60))
                }
                let messages = try await received
                var cursor = MailboxCursor()
                let fresh = messages.filter { cursor.delivered($0.streamSequence) }
                #expect(fresh.map { String(decoding: $0.payload, as: UTF8.self) } == (0..<300).map(String.init))
                #expect(try await client.js.streamState("BOSUN_MAILBOX").messages == 300)
            }
        }
    }
}
