import Logging
import Shared

/// The agent's optional configuration file: one JSON object.
///
/// ```json
/// {"node": "pi-garage", "server": "nats://hub.lan:4222", "central": "central",
///  "helloInterval": 10, "logLevel": "info", "allowDirs": ["/srv/drop", "/var/log"], "allowInsecureTLS": false,
///  "labels": {"site": "barn", "hw": "pi4"}, "metricsInterval": 30, "metricsMounts": ["/", "/srv"]}
/// ```
/// Every key is optional; an unknown key is an error naming it and the file. Flags and `BOSUN_*` variables
/// win over the file. SIGHUP reads it again: `allowDirs` takes effect at once, the rest at the next start.
struct AgentConfigFile: Sendable, Equatable {
    var node: String?
    var server: String?
    var central: String?
    var helloInterval: Double?
    var logLevel: Logger.Level?
    var allowDirs: [String] = []
    /// Whether `httpGet --insecure` may skip the server certificate check.
    var allowInsecureTLS = false
    /// Sent in every hello; operators target the node by them (`--to site=barn`).
    var labels: [String: String] = [:]
    /// Seconds between metrics samples (0: none), as `--metrics-interval`.
    var metricsInterval: Double?
    /// The filesystems whose use the metrics report, as `--metrics-mounts`.
    var metricsMounts: [String]?

    static let keys = [
        "allowDirs", "allowInsecureTLS", "central", "helloInterval", "labels", "logLevel", "metricsInterval",
        "metricsMounts", "node", "server",
    ]

    /// Reads and checks the file at `path`.
    static func load(_ path: String) throws(ConfigError) -> AgentConfigFile {
        let bytes: [UInt8]
        do {
            bytes = try FileSystem.read(path)
        } catch {
            throw ConfigError(path: path, "cannot read it: \(error)")
        }
        return try parse(bytes, path: path)
    }

    /// Checks the JSON text of a configuration file; `path` names it in errors.
    static func parse(_ bytes: [UInt8], path: String) throws(ConfigError) -> AgentConfigFile {
        let value: JSONValue
        do {
            value = try JSONValue.parse(bytes)
        } catch {
            throw ConfigError(path: path, error.reason)
        }
        guard case .object(let object) = value else {
            throw ConfigError(path: path, "expected a JSON object, got \(value.typeName)")
        }
        var file = AgentConfigFile()
        for (key, value) in object.sorted(by: { $0.key < $1.key }) {
            switch key {
            case "node": file.node = try string(value, key: key, path: path)
            case "server": file.server = try string(value, key: key, path: path)
            case "central": file.central = try string(value, key: key, path: path)
            case "helloInterval":
                guard case .number(let seconds) = value, seconds.isFinite, seconds > 0 else {
                    throw ConfigError(path: path, key: key, "must be a positive number of seconds, got \(value.excerpt)")
                }
                file.helloInterval = seconds
            case "logLevel":
                let text = try string(value, key: key, path: path)
                guard let level = Logger.Level(rawValue: text) else {
                    throw ConfigError(
                        path: path, key: key,
                        "must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")), got \"\(text)\"")
                }
                file.logLevel = level
            case "allowDirs": file.allowDirs = try absolutePaths(value, key: key, path: path)
            case "metricsInterval":
                guard case .number(let seconds) = value, seconds.isFinite, seconds >= 0 else {
                    throw ConfigError(
                        path: path, key: key, "must be 0 (off) or a positive number of seconds, got \(value.excerpt)")
                }
                file.metricsInterval = seconds
            case "metricsMounts": file.metricsMounts = try absolutePaths(value, key: key, path: path)
            case "allowInsecureTLS":
                guard case .bool(let allowed) = value else {
                    throw ConfigError(path: path, key: key, "must be true or false, got \(value.excerpt)")
                }
                file.allowInsecureTLS = allowed
            case "labels":
                file.labels = try labels(value, key: key, path: path)
            default:
                throw ConfigError(
                    path: path, key: key, "unknown key (known: \(keys.joined(separator: ", ")))")
            }
        }
        return file
    }

    private static func labels(_ value: JSONValue, key: String, path: String) throws(ConfigError) -> [String: String] {
        guard case .object(let object) = value else {
            throw ConfigError(path: path, key: key, "must be an object of strings, e.g. {\"site\": \"barn\"}, got \(value.excerpt)")
        }
        var labels: [String: String] = [:]
        for (name, item) in object {
            let text = try string(item, key: "\(key).\(name)", path: path)
            if let problem = NodeLabels.problem(key: name, value: text) {
                throw ConfigError(path: path, key: "\(key).\(name)", problem)
            }
            labels[name] = text
        }
        return labels
    }

    private static func absolutePaths(_ value: JSONValue, key: String, path: String) throws(ConfigError) -> [String] {
        guard case .array(let items) = value else {
            throw ConfigError(path: path, key: key, "must be an array of absolute paths, got \(value.excerpt)")
        }
        var paths: [String] = []
        for (index, item) in items.enumerated() {
            guard case .string(let text) = item, text.hasPrefix("/") else {
                throw ConfigError(path: path, key: "\(key)[\(index)]", "must be an absolute path, got \(item.excerpt)")
            }
            paths.append(text)
        }
        return paths
    }

    private static func string(_ value: JSONValue, key: String, path: String) throws(ConfigError) -> String {
        guard case .string(let text) = value else {
            throw ConfigError(path: path, key: key, "must be a string, got \(value.excerpt)")
        }
        return text
    }
}

/// Why the configuration file was refused: the file, the key, the reason.
struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    var path: String
    var key: String?
    var reason: String

    init(path: String, key: String? = nil, _ reason: String) {
        self.path = path
        self.key = key
        self.reason = reason
    }

    var description: String {
        "configuration file \(path): " + (key.map { "key `\($0)`: " } ?? "") + reason
    }
}
