import Logging
import Shared

/// Where the configuration comes from, and what a reload (SIGHUP) changes: the allowed directories.
/// A file that cannot be read or is wrong leaves the configuration as it was, and is reported.
struct ConfigReloader: Sendable {
    /// The file; nil when none is used.
    let path: String?
    /// Whether the file must exist (named by --config or BOSUN_CONFIG, not the default).
    let required: Bool
    /// Directories given by --allow-dir; kept across reloads.
    let flagDirectories: [String]
    let allowed: AllowedDirectories

    /// Reads the file; a missing optional file is an empty configuration.
    func load() throws(ConfigError) -> AgentConfigFile {
        guard let path, required || FileSystem.exists(path) else { return AgentConfigFile() }
        return try AgentConfigFile.load(path)
    }

    /// The allowed directories for a configuration read from the file.
    func directories(_ file: AgentConfigFile) -> [String] {
        var seen = Set<String>()
        return (flagDirectories + file.allowDirs).filter { seen.insert($0).inserted }
    }

    /// Reads the file again and applies what can change while running.
    func reload(node: String, errors: ErrorReporter, logger: Logger) {
        do {
            let file = try load()
            allowed.replace(with: directories(file))
            logger.notice(
                "configuration reloaded", metadata: ["file": "\(path ?? "-")", "allowDirs": "\(allowed.current)"])
        } catch {
            errors.report(
                ErrorRecord(
                    node: node, kind: .node,
                    error: "\(error); keeping the previous configuration (allowDirs \(allowed.current))"))
        }
    }
}
