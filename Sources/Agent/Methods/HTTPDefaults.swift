import Shared

/// `httpGet`'s defaults, in one place.
enum HTTPDefaults {
    /// Redirects followed unless `--max-redirects` says otherwise.
    static let maxRedirects = 5
    /// The longest a connection may take to open, in seconds; a black-holed address gives up after this.
    static let connectTimeout: Double = 10
    /// Transfers running at once; an `httpGet` beyond them waits for one to end before it is ACKed.
    static let concurrentTransfers = 16
    /// Bytes of body read: a result travels back as one message of at most ``MessageLimits/messageBytes``, so
    /// no more than that can ever be sent (the result is cut further to fit, and says so).
    static let bodyLimit = MessageLimits.messageBytes
}
