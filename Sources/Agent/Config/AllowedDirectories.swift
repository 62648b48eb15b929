import Synchronization

/// The directories file methods may touch; replaced as a whole when the configuration is reloaded (SIGHUP).
final class AllowedDirectories: Sendable {
    private let directories: Mutex<[String]>

    init(_ directories: [String] = []) {
        self.directories = Mutex(directories)
    }

    var current: [String] { directories.withLock { $0 } }

    func replace(with directories: [String]) {
        self.directories.withLock { $0 = directories }
    }
}
