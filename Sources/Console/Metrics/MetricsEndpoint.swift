import FlyingFox
import Foundation
import Shared

/// `GET /metrics` on `--metrics ADDR` for the central engine (console or --headless), until cancelled.
enum MetricsEndpoint {
    static func run(_ address: MetricsAddress, runtime: NodeRuntime) async throws {
        let metrics = CentralMetrics(store: runtime.store, dataDirectory: runtime.configuration.dataDirectory)
        let token = runtime.outbox.addObserver { metrics.observe($0) }
        defer { runtime.outbox.removeObserver(token) }
        let server: HTTPServer =
            address.isIPv6
            ? HTTPServer(address: try .inet6(ip6: address.host, port: address.port), logger: .disabled)
            : HTTPServer(address: try .inet(ip4: address.host, port: address.port), logger: .disabled)
        await server.appendRoute("GET /metrics") { _ in
            HTTPResponse(
                statusCode: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: Data(metrics.exposition().utf8))
        }
        do {
            try await server.run()
        } catch is CancellationError {
            // Stopped with the engine.
        }
    }
}
