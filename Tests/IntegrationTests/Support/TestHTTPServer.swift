import Foundation

/// Python's `http.server` for one test, on loopback only: plain HTTP on 127.0.0.1 and on [::1], HTTPS on
/// 127.0.0.1 with a certificate from a ``TestPKI`` made in the test's directory.
///
/// Pages: `/hello` (names the listener: `hello from http`, `https` or `ipv6`), `/redirect/N` (a chain of N
/// redirects ending at `/hello`), `/big` (``bigBody``), `/missing` (404), `/broken` (500), `/silent` (takes the
/// request and never answers). As a proxy (a request for an absolute URL) it answers `proxied URL`.
final class TestHTTPServer {
    let pki: TestPKI
    let port = freePort()
    let tlsPort = freePort()
    let ipv6Port = freePort()
    private let child: ChildProcess

    var http: String { "http://127.0.0.1:\(port)" }
    var https: String { "https://127.0.0.1:\(tlsPort)" }
    var ipv6: String { "http://[::1]:\(ipv6Port)" }

    /// What `/big` serves: 2.6 MB of numbered lines.
    static let bigBody = (0..<200_000).map { String(format: "line %07d\n", $0) }.joined()

    private init(directory: String, pki: TestPKI) throws {
        self.pki = pki
        let script = directory + "/http_server.py"
        try Self.script.write(toFile: script, atomically: true, encoding: .utf8)
        child = try ChildProcess(
            "/usr/bin/env",
            ["python3", script, pki.serverCertificate, pki.serverKey, String(port), String(tlsPort), String(ipv6Port)],
            logPath: directory + "/http_server.log")
    }

    /// Starts the server in `directory` and returns once all three listeners are bound.
    static func start(in directory: String) async throws -> TestHTTPServer {
        let server = try TestHTTPServer(directory: directory, pki: try await TestPKI.make(in: directory))
        guard await eventually(timeout: .seconds(15), { server.child.log.contains("ready") }) else {
            throw TestFailure("the test HTTP server did not start: \(server.child.log)")
        }
        return server
    }

    /// SIGKILL: the test process blocks SIGTERM, and its children inherit the mask.
    deinit { child.stop(signal: SIGKILL) }

    private static let script = #"""
        import http.server, socket, ssl, sys, threading, time

        BIG = "".join("line %07d\n" % i for i in range(200000)).encode()

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def answer(self, status, body, headers=()):
                data = body if isinstance(body, bytes) else body.encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("X-Bosun-Test", "yes")
                for name, value in headers:
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                parts = self.path.split("/")
                if self.path.startswith("http://"):
                    self.answer(200, "proxied %s\n" % self.path)
                elif self.path == "/hello":
                    self.answer(200, "hello from %s\n" % self.server.label)
                elif parts[1] == "redirect":
                    left = int(parts[2]) - 1
                    self.answer(302, "", [("Location", "/redirect/%d" % left if left > 0 else "/hello")])
                elif self.path == "/big":
                    self.answer(200, BIG)
                elif self.path == "/broken":
                    self.answer(500, "it broke\n")
                elif self.path == "/silent":
                    time.sleep(3600)
                else:
                    self.answer(404, "no such page\n")

        class Server(http.server.ThreadingHTTPServer):
            daemon_threads = True

        class Server6(Server):
            address_family = socket.AF_INET6

        certificate, key, port, tls_port, ipv6_port = sys.argv[1:6]
        plain = Server(("127.0.0.1", int(port)), Handler)
        plain.label = "http"
        tls = Server(("127.0.0.1", int(tls_port)), Handler)
        tls.label = "https"
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(certificate, key)
        tls.socket = context.wrap_socket(tls.socket, server_side=True)
        six = Server6(("::1", int(ipv6_port)), Handler)
        six.label = "ipv6"
        for server in (plain, tls):
            threading.Thread(target=server.serve_forever, daemon=True).start()
        print("ready", flush=True)
        six.serve_forever()
        """#
}
