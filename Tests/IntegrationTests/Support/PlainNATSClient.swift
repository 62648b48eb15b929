import Foundation

/// A client that speaks the NATS protocol in plain text over a raw socket, never upgrading to TLS: what libnats
/// cannot be made to do, since it upgrades by itself when the server asks for TLS.
enum PlainNATSClient {
    /// Sends `CONNECT` and `PING` to 127.0.0.1:`port` and returns everything the server sends until it closes the
    /// connection (or 5 seconds pass).
    static func exchange(port: Int) throws -> String {
        let socketFD = try NATSLineClient.openSocket(port: port)
        defer { close(socketFD) }
        let request = Array("CONNECT {\"verbose\":false,\"pedantic\":false}\r\nPING\r\n".utf8)
        _ = request.withUnsafeBytes { send(socketFD, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(socketFD, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { break }
            received += buffer[0..<count]
        }
        return String(decoding: received, as: UTF8.self)
    }
}
