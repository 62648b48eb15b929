import Foundation
import Shared

extension Harness {
    /// Starts `count` JetStream servers (1, or 3 routed as a cluster) with the limits of deploy/nats/js-*.conf
    /// and waits until JetStream has its metadata leader; returns their URLs and processes.
    func startJetStream(count: Int) async throws -> (urls: [String], processes: [Process]) {
        let ports = (0..<count).map { _ in Loopback.freePort() ?? 0 }
        let routePorts = (0..<count).map { _ in Loopback.freePort() ?? 0 }
        guard !(ports + routePorts).contains(0) else { throw BenchError("no free port") }
        var processes: [Process] = []
        for index in 0..<count {
            var text = """
                listen: 127.0.0.1:\(ports[index])
                server_name: bench-\(index + 1)
                max_payload: 1MB
                jetstream { store_dir: "\(directory)/store-\(index + 1)", max_memory_store: 256MB, max_file_store: 10GB }

                """
            if count > 1 {
                let routes = routePorts.map { "nats-route://127.0.0.1:\($0)" }.joined(separator: ", ")
                text += "cluster { name: bench, listen: 127.0.0.1:\(routePorts[index]), routes: [\(routes)] }\n"
            }
            let file = directory + "/js-\(index + 1).conf"
            try text.write(toFile: file, atomically: true, encoding: .utf8)
            processes.append(try spawn(Self.natsServer, ["-c", file], log: directory + "/js-\(index + 1).log"))
        }
        for index in 0..<count {
            try await waitFor(
                "JetStream server \(index + 1)", log: directory + "/js-\(index + 1).log",
                text: count > 1 ? "metadata leader" : "Server is ready")
        }
        return (ports.map { "nats://127.0.0.1:\($0)" }, processes)
    }

    static let natsServer =
        ["/usr/sbin/nats-server", "/usr/bin/nats-server"].first { FileManager.default.isExecutableFile(atPath: $0) }
        ?? "nats-server"
}

/// Processes' resident memory (MB, summed) and CPU time (seconds, user + system, summed) so far.
func usage(of processes: [Process]) throws -> (rssMB: Double, cpuSeconds: Double) {
    try processes.reduce((0, 0)) { total, process in
        let figures = try ProcessFigures(pid: process.processIdentifier)
        return (total.0 + figures.rssKB / 1024, total.1 + figures.cpuMilliseconds / 1000)
    }
}
