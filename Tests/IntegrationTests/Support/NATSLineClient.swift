import Foundation
import Shared

/// A NATS client that speaks the text protocol over a raw socket and logs in with an NKey: it shows the server's
/// own words for each refusal (`-ERR 'Permissions Violation for Subscription to "…"'`), where libnats reports only
/// "Not Permitted".
final class NATSLineClient {
    private let socketFD: Int32
    private var pending: [UInt8] = []

    private init(socketFD: Int32) {
        self.socketFD = socketFD
    }

    deinit { close(socketFD) }

    /// Connects to 127.0.0.1:`port` as the NKey user `nkey` whose seed is in `seedFile`.
    static func connect(port: Int, nkey: String, seedFile: String) throws -> NATSLineClient {
        let client = NATSLineClient(socketFD: try openSocket(port: port))
        let info = try client.readLine()
        guard let nonce = info.firstMatch(of: /"nonce":"([^"]+)"/)?.1 else {
            throw TestFailure("the server sent no nonce to sign: \(info)")
        }
        // Signed here, at once: the server waits only about two seconds for the CONNECT.
        let seed = try String(contentsOfFile: seedFile, encoding: .utf8)
        guard let key = NATSUserKey(seed: seed) else { throw TestFailure("\(seedFile) holds no NKey seed") }
        let signature = Data(key.sign(Array(nonce.utf8))).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        try client.send(#"CONNECT {"verbose":false,"pedantic":false,"protocol":1,"nkey":"\#(nkey)","sig":"\#(signature)"}"# + "\r\n")
        let answer = try client.roundTrip()
        guard !answer.contains("-ERR") else { throw TestFailure("the server refused the login: \(answer)") }
        return client
    }

    func send(_ text: String) throws {
        let bytes = Array(text.utf8)
        let sent = bytes.withUnsafeBytes { Glibc.send(socketFD, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard sent == bytes.count else { throw TestFailure("sending to the server: \(String(cString: strerror(errno)))") }
    }

    /// Sends `PING` and returns all the server sent before its `PONG`: the server answers in order, so whatever an
    /// operation sent before it caused (an error, a message delivered to this client) is in there.
    func roundTrip() throws -> String {
        try send("PING\r\n")
        var lines: [String] = []
        while true {
            let line = try readLine()
            if line == "PONG" { return lines.joined(separator: "\n") }
            lines.append(line)
        }
    }

    /// One line from the server, without its CRLF; fails after 5 seconds of silence.
    private func readLine() throws -> String {
        while true {
            if let end = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: pending[..<end], as: UTF8.self)
                pending.removeSubrange(...end)
                return line.hasSuffix("\r") ? String(line.dropLast()) : line
            }
            var buffer = [UInt8](repeating: 0, count: 4096)
            let count = buffer.withUnsafeMutableBytes { recv(socketFD, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { throw TestFailure("the server closed the connection or went silent: \(pending)") }
            pending += buffer[0..<count]
        }
    }

    /// A TCP socket connected to 127.0.0.1:`port`, reads timing out after 5 seconds.
    static func openSocket(port: Int) throws -> Int32 {
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketFD >= 0 else { throw TestFailure("socket: \(String(cString: strerror(errno)))") }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(socketFD, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            close(socketFD)
            throw TestFailure("connect to \(port): \(String(cString: strerror(errno)))")
        }
        return socketFD
    }
}
