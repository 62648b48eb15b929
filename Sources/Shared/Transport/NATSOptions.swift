import CNATS

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Builds libnats options from a ``NATSConfiguration``; destroys them when done.
final class NATSOptions {
    let pointer: OpaquePointer

    init(_ configuration: NATSConfiguration, events: UnsafeMutableRawPointer) throws(TransportError) {
        var options: OpaquePointer?
        try check(natsOptions_Create(&options), "creating NATS options")
        guard let options else { throw TransportError(.failed, "creating NATS options: out of memory") }
        pointer = options
        try apply(configuration, events: events)
    }

    deinit { natsOptions_Destroy(pointer) }

    private func apply(_ configuration: NATSConfiguration, events: UnsafeMutableRawPointer) throws(TransportError) {
        let servers = configuration.servers
        guard !servers.isEmpty else { throw TransportError(.invalidConfiguration, "no NATS server given") }
        try withCStrings(servers) { (pointers: inout [UnsafePointer<CChar>?]) throws(TransportError) in
            try check(
                natsOptions_SetServers(pointer, &pointers, Int32(pointers.count)),
                "NATS server list \(configuration.displayServers)", code: .invalidConfiguration)
        }
        let reconnectJitter = Int64(configuration.reconnectJitter * 1000)
        let reconnectJitterTLS = Int64(configuration.reconnectJitterTLS * 1000)
        try check(natsOptions_SetName(pointer, configuration.name), "client name")
        try check(natsOptions_SetTimeout(pointer, Int64(configuration.connectTimeout * 1000)), "connect timeout")
        try check(natsOptions_SetNoRandomize(pointer, false), "server order")
        try check(natsOptions_SetAllowReconnect(pointer, true), "reconnect")
        // Reconnect forever: a node on a flaky link must come back by itself.
        try check(natsOptions_SetMaxReconnect(pointer, -1), "reconnect attempts")
        try check(natsOptions_SetReconnectWait(pointer, Int64(configuration.reconnectWait * 1000)), "reconnect wait")
        try check(natsOptions_SetReconnectJitter(pointer, reconnectJitter, reconnectJitterTLS), "reconnect jitter")
        try check(
            natsOptions_SetReconnectBufSize(pointer, Int32(configuration.reconnectBufferSize)), "reconnect buffer")
        try check(natsOptions_SetSendAsap(pointer, configuration.sendAsap), "send asap")
        try check(
            natsOptions_SetCustomInboxPrefix(pointer, configuration.inboxPrefix),
            "inbox prefix \(configuration.inboxPrefix)", code: .invalidConfiguration)
        if configuration.sharedDelivery {
            try check(natsOptions_UseGlobalMessageDelivery(pointer, true), "shared message delivery")
        }
        try check(natsOptions_SetDisconnectedCB(pointer, natsOnDisconnected, events), "disconnect callback")
        try check(natsOptions_SetReconnectedCB(pointer, natsOnReconnected, events), "reconnect callback")
        try check(natsOptions_SetClosedCB(pointer, natsOnClosed, events), "closed callback")
        try check(natsOptions_SetErrorHandler(pointer, natsOnError, events), "error callback")
        try applySecurity(configuration)
    }

    private func applySecurity(_ configuration: NATSConfiguration) throws(TransportError) {
        // libnats reads the credentials and seed files only when it connects, and then does not say which file.
        let files = [
            (configuration.credentialsFile, "credentials file (--creds)"),
            (configuration.nkeySeedFile, "NKey seed file (--nkey-seed)"),
            (configuration.tlsCAFile, "TLS CA file (--tls-ca)"),
            (configuration.tlsCertificateFile, "TLS client certificate (--tls-cert)"),
            (configuration.tlsKeyFile, "TLS client key (--tls-key)"),
        ]
        for case (let path?, let what) in files where access(path, R_OK) != 0 {
            let reason = String(cString: strerror(errno))
            throw TransportError(.invalidConfiguration, "\(what) \(path) cannot be read: \(reason)")
        }
        if let credentials = configuration.credentialsFile {
            try check(
                natsOptions_SetUserCredentialsFromFiles(pointer, credentials, nil),
                "credentials file \(credentials)", code: .invalidConfiguration)
        }
        if let seedFile = configuration.nkeySeedFile {
            guard let publicKey = configuration.nkeyPublicKey else {
                throw TransportError(
                    .invalidConfiguration, "NKey seed file \(seedFile) given without its public key (--nkey)")
            }
            try check(
                natsOptions_SetNKeyFromSeed(pointer, publicKey, seedFile), "NKey seed file \(seedFile)",
                code: .invalidConfiguration)
        }
        guard configuration.wantsTLS else { return }
        try check(natsOptions_SetSecure(pointer, true), "TLS", code: .invalidConfiguration)
        if let caFile = configuration.tlsCAFile {
            try check(
                natsOptions_LoadCATrustedCertificates(pointer, caFile), "TLS CA file \(caFile)",
                code: .invalidConfiguration)
        }
        if let certificate = configuration.tlsCertificateFile {
            guard let key = configuration.tlsKeyFile else {
                throw TransportError(
                    .invalidConfiguration, "TLS client certificate \(certificate) given without its key file")
            }
            try check(
                natsOptions_LoadCertificatesChain(pointer, certificate, key),
                "TLS client certificate \(certificate) and key \(key)", code: .invalidConfiguration)
        }
    }
}

/// Calls `body` with C string pointers that live for the duration of the call.
func withCStrings<R, E: Error>(
    _ strings: [String], _ body: (inout [UnsafePointer<CChar>?]) throws(E) -> R
) throws(E) -> R {
    let copies = strings.map { strdup($0) }
    defer { copies.forEach { free($0) } }
    var pointers = copies.map { UnsafePointer($0) }
    return try body(&pointers)
}
