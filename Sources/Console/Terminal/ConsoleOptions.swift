#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// How the interactive console looks and behaves; every default is here.
public struct ConsoleOptions: Sendable {
    /// The NATS server shown in the header.
    public var serverURL: String
    /// Plain ASCII glyphs (`--ascii`). Default: off.
    public var ascii: Bool
    /// Attributes only, no colours (`--no-color`). Default: on when `NO_COLOR` is set and not empty.
    public var noColor: Bool
    /// Compose lines from earlier runs, oldest first. Default: none.
    public var history: [String]
    /// Restore the terminal on SIGTERM and crash signals, and read SIGINT as Ctrl-C. Default: on.
    public var installSignalHandlers: Bool
    /// At most this many frames a second. Default: 10.
    public var framesPerSecond: Int
    /// The groups of `<data-dir>/groups.json`, for `@group` in the compose line. Default: none.
    public var groups = NodeGroups()

    public init(
        serverURL: String, ascii: Bool = false, noColor: Bool = ConsoleOptions.noColorFromEnvironment,
        history: [String] = [], installSignalHandlers: Bool = true, framesPerSecond: Int = 10
    ) {
        self.serverURL = serverURL
        self.ascii = ascii
        self.noColor = noColor
        self.history = history
        self.installSignalHandlers = installSignalHandlers
        self.framesPerSecond = framesPerSecond
    }

    /// Whether `NO_COLOR` asks for no colour (https://no-color.org).
    public static var noColorFromEnvironment: Bool {
        guard let value = getenv("NO_COLOR") else { return false }
        return value.pointee != 0
    }

    /// Seconds east of UTC of the local time zone now.
    static var localUTCOffset: Int {
        var now = time(nil)
        var parts = tm()
        localtime_r(&now, &parts)
        return Int(parts.tm_gmtoff)
    }
}
