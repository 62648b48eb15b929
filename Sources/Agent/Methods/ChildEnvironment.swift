import FoundationEssentials

/// The environment a command runs in: the agent's own, read once (the agent never changes it), with a
/// message's `--env` values on top.
///
/// Built once as `NAME=value` rows and the C array a spawn takes, so running a command copies nothing; letting
/// the spawn inherit would read and parse this process's whole environment twice per command (once to find PATH,
/// once to build the child's).
struct ChildEnvironment: Sendable {
    /// The agent's own environment.
    static let inherited = ChildEnvironment(ProcessInfo.processInfo.environment)

    /// The rows a child gets, each `NAME=value` and a NUL.
    let rows: [[UInt8]]
    /// The PATH a bare command name is looked up in; nil when there is none.
    let searchPath: String?
    /// `rows` as the `envp` a spawn takes.
    let pointers: CStringArray

    init(_ variables: [String: String]) {
        self.init(rows: variables.sorted { $0.key < $1.key }.map { Array("\($0.key)=\($0.value)\0".utf8) },
                  searchPath: variables["PATH"])
    }

    private init(rows: [[UInt8]], searchPath: String?) {
        self.rows = rows
        self.searchPath = searchPath
        pointers = CStringArray(rows: rows)
    }

    /// This environment with `overrides` set (each replaces a variable of the same name).
    func updating(_ overrides: [String: String]) -> ChildEnvironment {
        guard !overrides.isEmpty else { return self }
        let replaced = Set(overrides.keys.map { Array("\($0)=".utf8) })
        var rows = rows.filter { row in
            guard let equals = row.firstIndex(of: UInt8(ascii: "=")) else { return true }
            return !replaced.contains(Array(row[...equals]))
        }
        rows += overrides.sorted { $0.key < $1.key }.map { Array("\($0.key)=\($0.value)\0".utf8) }
        return ChildEnvironment(rows: rows, searchPath: overrides["PATH"] ?? searchPath)
    }
}
