import Shared

/// Named lists of targets in the central's configuration, `<data-dir>/groups.json`:
///
/// ```json
/// {"barn": ["pi-1", "pi-2", "site=barn"], "all-edge": ["@barn", "edge-gw"]}
/// ```
/// A member is anything `--to` takes: a node name, `label=value`, `@group`, or `*`.
public struct NodeGroups: Sendable, Equatable {
    var members: [String: [String]] = [:]
    /// The file they came from, to name in errors.
    var path: String?
    /// Why the file could not be used; a target naming a group then fails with it.
    var problem: TargetError?

    public init() {}

    init(members: [String: [String]] = [:], path: String?, problem: TargetError? = nil) {
        self.members = members
        self.path = path
        self.problem = problem
    }

    static let fileName = "groups.json"

    /// Reads `<dataDirectory>/groups.json`; no file is no groups. A broken file is an error naming the file
    /// and the key.
    static func load(dataDirectory: String) throws(TargetError) -> NodeGroups {
        let path = dataDirectory + "/" + fileName
        guard FileSystem.exists(path) else { return NodeGroups(path: path) }
        let bytes: [UInt8]
        do {
            bytes = try FileSystem.read(path)
        } catch {
            throw TargetError("\(path): cannot read it: \(error)")
        }
        return try parse(bytes, path: path)
    }

    /// Reads the file for the console, which shows a broken one's error when a group is used.
    public static func loadKeepingProblem(dataDirectory: String) -> NodeGroups {
        do {
            return try load(dataDirectory: dataDirectory)
        } catch {
            return NodeGroups(path: dataDirectory + "/" + fileName, problem: error)
        }
    }

    static func parse(_ bytes: [UInt8], path: String) throws(TargetError) -> NodeGroups {
        let value: JSONValue
        do {
            value = try JSONValue.parse(bytes)
        } catch {
            throw TargetError("\(path): \(error.reason)")
        }
        guard case .object(let object) = value else {
            throw TargetError(
                "\(path): expected an object of groups, e.g. {\"barn\": [\"pi-1\", \"pi-2\"]}, got \(value.typeName)")
        }
        var groups = NodeGroups(path: path)
        for (name, list) in object {
            guard NodeName.isValid(name) else {
                throw TargetError("\(path): group \"\(name)\": a group's name takes letters, digits, - and _ only")
            }
            guard case .array(let items) = list else {
                throw TargetError("\(path): group `\(name)` must be an array of targets, got \(list.excerpt)")
            }
            groups.members[name] = try items.enumerated().map { (index, item) throws(TargetError) -> String in
                guard case .string(let member) = item else {
                    throw TargetError("\(path): group `\(name)`[\(index)] must be a string, got \(item.excerpt)")
                }
                return member
            }
        }
        return groups
    }
}
