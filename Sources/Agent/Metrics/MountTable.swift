import Shared

/// The mount points of this machine, from `/proc/self/mounts`.
enum MountTable {
    /// The mount points in the text of a mounts file (the second field; `\040` is a space in a name).
    static func mountPoints(mounts text: String) -> [String] {
        text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ")
            guard fields.count >= 2 else { return nil }
            return unescaped(fields[1])
        }
    }

    /// A field with the kernel's octal escapes decoded: `\040` space, `\011` tab, `\012` newline, `\134` backslash.
    /// By hand rather than with `replacing(_:with:)`, whose string searcher alone would add about 250 kB to the
    /// agent's resident code.
    static func unescaped(_ field: Substring) -> String {
        let octal = UInt8(ascii: "0")...UInt8(ascii: "7")
        var bytes = Array(field.utf8)
        var read = 0
        var write = 0
        while read < bytes.count {
            if bytes[read] == UInt8(ascii: "\\"), read + 3 < bytes.count,
                bytes[read + 1...read + 3].allSatisfy(octal.contains)
            {
                let digits = bytes[read + 1...read + 3].map { Int($0 - octal.lowerBound) }
                let value = digits[0] * 64 + digits[1] * 8 + digits[2]
                if value <= 255 {
                    bytes[write] = UInt8(value)
                    read += 4
                    write += 1
                    continue
                }
            }
            bytes[write] = bytes[read]
            read += 1
            write += 1
        }
        return String(decoding: bytes[..<write], as: UTF8.self)
    }

    /// The mount point holding `path`: the longest mount point that is `path` or one of its parents.
    static func mountPoint(of path: String, among points: [String]) -> String {
        points.filter { point in
            point == "/" || path == point || path.hasPrefix(point + "/")
        }.max { $0.count < $1.count } ?? "/"
    }

    /// The root filesystem and the one holding the data directory (once, when they are the same).
    static func defaultMounts(dataDirectory: String) -> [String] {
        let text = (try? FileSystem.read("/proc/self/mounts")).map { String(decoding: $0, as: UTF8.self) } ?? ""
        let data = mountPoint(of: dataDirectory, among: mountPoints(mounts: text))
        return data == "/" ? ["/"] : ["/", data]
    }
}
