/// The thresholds of the central node's alerts, from `<data-dir>/alerts.json` (optional; every key optional):
///
/// ```json
/// {"diskPercent": 90, "temperature": 80, "nodeDownSeconds": 300, "checkInterval": 10}
/// ```
/// A filesystem fuller than `diskPercent`, a temperature above `temperature` °C, a node not heard from for
/// `nodeDownSeconds`: each raises one entry in the central error log when crossed and one when it clears.
public struct AlertRules: Sendable, Equatable {
    public var diskPercent = MetricsDefaults.diskPercent
    public var temperature = MetricsDefaults.temperature
    public var nodeDownSeconds = MetricsDefaults.nodeDownSeconds
    /// Seconds between checks.
    public var checkInterval = MetricsDefaults.alertCheckInterval

    public init() {}

    static let keys = ["checkInterval", "diskPercent", "nodeDownSeconds", "temperature"]

    /// The rules of a data directory: its `alerts.json`, or the defaults when there is none.
    public static func load(dataDirectory: String) throws(AlertRulesError) -> AlertRules {
        let path = dataDirectory + "/alerts.json"
        guard FileSystem.exists(path) else { return AlertRules() }
        let bytes: [UInt8]
        do {
            bytes = try FileSystem.read(path)
        } catch {
            throw AlertRulesError(path: path, "cannot read it: \(error)")
        }
        return try parse(bytes, path: path)
    }

    /// Checks the JSON text of an alerts file; `path` names it in errors.
    static func parse(_ bytes: [UInt8], path: String) throws(AlertRulesError) -> AlertRules {
        let value: JSONValue
        do {
            value = try JSONValue.parse(bytes)
        } catch {
            throw AlertRulesError(path: path, error.reason)
        }
        guard case .object(let object) = value else {
            throw AlertRulesError(path: path, "expected a JSON object, got \(value.typeName)")
        }
        var rules = AlertRules()
        for (key, value) in object.sorted(by: { $0.key < $1.key }) {
            guard keys.contains(key) else {
                throw AlertRulesError(path: path, key: key, "unknown key (known: \(keys.joined(separator: ", ")))")
            }
            guard case .number(let number) = value, number.isFinite, number > 0 else {
                throw AlertRulesError(path: path, key: key, "must be a positive number, got \(value.excerpt)")
            }
            switch key {
            case "diskPercent": rules.diskPercent = number
            case "temperature": rules.temperature = number
            case "nodeDownSeconds": rules.nodeDownSeconds = number
            default: rules.checkInterval = number
            }
        }
        return rules
    }
}

/// An alerts file that cannot be used: which file, which key, and why.
public struct AlertRulesError: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var key: String?
    public var reason: String

    init(path: String, key: String? = nil, _ reason: String) {
        self.path = path
        self.key = key
        self.reason = reason
    }

    public var description: String { "alerts file \(path): " + (key.map { "key `\($0)`: " } ?? "") + reason }
}
