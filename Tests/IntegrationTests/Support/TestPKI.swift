import Foundation

/// A certificate authority made for one test with openssl, and certificates it signs: a server certificate for
/// 127.0.0.1 and localhost, and a client certificate. Everything lives in the test's directory.
struct TestPKI {
    let directory: String

    var caFile: String { directory + "/ca.pem" }
    var serverCertificate: String { directory + "/server.pem" }
    var serverKey: String { directory + "/server-key.pem" }
    var clientCertificate: String { directory + "/client.pem" }
    var clientKey: String { directory + "/client-key.pem" }

    /// Creates the CA, then the server's and a client's key and certificate (EC P-256, valid one day).
    static func make(in directory: String) async throws -> TestPKI {
        let pki = TestPKI(directory: directory + "/pki")
        try FileManager.default.createDirectory(atPath: pki.directory, withIntermediateDirectories: true)
        try await pki.openssl([
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", pki.directory + "/ca-key.pem", "-out", pki.caFile, "-days", "1", "-subj", "/CN=Bosun Test CA",
        ])
        try await pki.sign(
            "server", serial: 2, extensions: "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n")
        try await pki.sign("client", serial: 3, extensions: "extendedKeyUsage=clientAuth\n")
        return pki
    }

    private func sign(_ name: String, serial: Int, extensions: String) async throws {
        let request = directory + "/\(name).csr"
        let extensionFile = directory + "/\(name).ext"
        try extensions.write(toFile: extensionFile, atomically: true, encoding: .utf8)
        try await openssl([
            "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", directory + "/\(name)-key.pem", "-out", request, "-subj", "/CN=bosun-test-\(name)",
        ])
        try await openssl([
            "x509", "-req", "-in", request, "-CA", caFile, "-CAkey", directory + "/ca-key.pem",
            "-set_serial", String(serial), "-days", "1", "-extfile", extensionFile, "-out", directory + "/\(name).pem",
        ])
    }

    private func openssl(_ arguments: [String]) async throws {
        let result = try await runProgram("/usr/bin/openssl", arguments)
        guard result.status == 0 else {
            throw TestFailure("openssl \(arguments.joined(separator: " ")) failed: \(result.stderr)")
        }
    }
}
