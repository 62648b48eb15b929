import CNATS

/// What a person can do about a failed connection, for the failures that security settings cause: libnats says
/// "Authorization Violation" or "Expected 'PONG', got ''", not which option to look at.
enum ConnectHint {
    static func hint(for status: natsStatus, _ configuration: NATSConfiguration) -> String? {
        switch status {
        case NATS_CONNECTION_AUTH_FAILED, NATS_NOT_PERMITTED:
            return "the server refused the credentials: check user:password@ or token@ in the URL, --nkey and "
                + "--nkey-seed, or --creds"
        case NATS_SECURE_CONNECTION_REQUIRED:
            return "the server requires TLS: give --tls-ca with the CA that signed its certificate"
        case NATS_SECURE_CONNECTION_WANTED:
            return "TLS was asked for with --tls, --tls-ca, --tls-cert or tls://, but the server does not offer it"
        case NATS_SSL_ERROR:
            return "the TLS handshake failed: the server's certificate must be signed by a CA given with --tls-ca "
                + "and name the host of the URL"
        case NATS_PROTOCOL_ERROR where configuration.wantsTLS && configuration.tlsCertificateFile == nil:
            // A server that verifies clients closes the connection right after the handshake.
            return "the server closed the TLS connection: if it verifies clients, give --tls-cert and --tls-key"
        default:
            return nil
        }
    }
}

extension NATSConfiguration {
    /// Whether these options ask for TLS; libnats also upgrades by itself when the server requires it.
    var wantsTLS: Bool {
        tlsRequired || tlsCAFile != nil || tlsCertificateFile != nil || servers.contains { $0.hasPrefix("tls://") }
    }
}
