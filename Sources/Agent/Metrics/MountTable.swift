import Shared

/// The mount points of this machine, from `/proc/self/mounts`.
enum MountTable {
    /// The mount points in the text of a mounts file (the second field; `\040` is a space in a name).
    static func mountPoints(mounts text: String) -> [String] {
        text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ")
            guard fields.count >= 2 else { return nil }
            return String(fields[1]).replacing("\\040", with: " ")
        }
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
