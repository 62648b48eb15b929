#if canImport(Glibc)
    import Glibc
#endif

/// Facts about the machine for hellos, read from uname and /proc.
public enum SystemFacts {
    public static let processStart = Timestamp.now

    public static var hostname: String? {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count) == 0 else { return nil }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    public static var osName: String? {
        guard let text = try? FileSystem.read("/etc/os-release") else { return uname(\.sysname) }
        for line in String(decoding: text, as: UTF8.self).split(separator: "\n") where line.hasPrefix("PRETTY_NAME=") {
            return String(line.dropFirst("PRETTY_NAME=".count).filter { $0 != "\"" })
        }
        return uname(\.sysname)
    }

    public static var kernel: String? { uname(\.release) }
    public static var architecture: String? { uname(\.machine) }

    public static var uptime: Double? { firstNumber(in: "/proc/uptime") }
    public static var load: Double? { firstNumber(in: "/proc/loadavg") }

    private static func firstNumber(in path: String) -> Double? {
        guard let bytes = try? FileSystem.read(path) else { return nil }
        return String(decoding: bytes, as: UTF8.self).split(separator: " ").first.flatMap { Double($0) }
    }

    private static func uname(_ field: KeyPath<utsname, (CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar)>) -> String? {
        var info = utsname()
        guard Glibc.uname(&info) == 0 else { return nil }
        var value = info[keyPath: field]
        return withUnsafeBytes(of: &value) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }
}
