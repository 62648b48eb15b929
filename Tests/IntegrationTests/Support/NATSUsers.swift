import Foundation

/// Runs `bosun nats-users --output OUTPUT NODES…` (the central's data in `dataDirectory`) and returns each user's
/// connection options as it printed them: `["--nkey", KEY, "--nkey-seed", FILE]` by node, the central's too.
func makeNATSUsers(_ nodes: [String], output: String, dataDirectory: String) async throws -> [String: [String]] {
    let made = try await bosun(["nats-users", "--output", output] + nodes, server: "nats://127.0.0.1:1",
        dataDirectory: dataDirectory)
    guard made.status == 0 else { throw TestFailure("bosun nats-users failed: \(made.stderr)") }
    var credentials: [String: [String]] = [:]
    for line in made.stdout.split(separator: "\n") where line.contains("\t") {
        let fields = line.split(separator: "\t")
        credentials[String(fields[0])] = fields[1].split(separator: " ").map(String.init)
    }
    return credentials
}
