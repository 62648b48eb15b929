import FoundationEssentials

/// Who may have this node run what: the ACL file (`<data-dir>/acl.json`, or `--acl FILE`).
///
/// ```json
/// {"groups": {"operators": ["<public key>", "ops-laptop"]},
///  "rules": [{"who": ["@operators"], "methods": ["*"]},
///            {"who": ["monitor"], "methods": ["cliCommand"], "commands": [["uptime"], ["df", "*"], ["journalctl", "**"]]}]}
/// ```
/// A name in `who` is a signer's public key, a node name, or `@group`; node names count only for messages
/// signed by a key this node trusts or has pinned for that node (the trust policy checks that first). `*` in
/// `methods` is every method. `commands` narrows `cliCommand` and `cliCommandCont` to argvs that match one of
/// the patterns: `*` is any one argument, `**` at the end is any rest. Without an ACL file the trust policy
/// alone decides; with one, every method but `ping`, `hello`, `bye` and `status` needs a rule.
public struct AccessList: Sendable, Equatable {
    public struct Rule: Sendable, Equatable {
        public var who: [String]
        public var methods: [String]
        public var commands: [[String]]?
    }

    public var groups: [String: [String]]
    public var rules: [Rule]

    /// Reads and checks the file; the error names the file and the field.
    public static func load(path: String) throws(AccessListError) -> AccessList {
        let bytes: [UInt8]
        do {
            bytes = try FileSystem.read(path)
        } catch {
            throw AccessListError(path: path, reason: "\(error)")
        }
        return try parse(bytes, path: path)
    }

    static func parse(_ bytes: [UInt8], path: String) throws(AccessListError) -> AccessList {
        func fail(_ reason: String) -> AccessListError { AccessListError(path: path, reason: reason) }
        guard case .object(let root)? = try? JSONValue.parse(bytes) else { throw fail("not a JSON object") }
        for key in root.keys where !["groups", "rules"].contains(key) {
            throw fail("unknown key `\(key)` (the keys are groups and rules)")
        }
        var groups: [String: [String]] = [:]
        if let value = root["groups"] {
            guard case .object(let entries) = value else { throw fail("`groups` must be an object of name lists") }
            for (name, members) in entries {
                guard let list = members.strings else { throw fail("`groups.\(name)` must be a list of names or keys") }
                groups[name] = list
            }
        }
        guard case .array(let items)? = root["rules"] else { throw fail("`rules` must be a list") }
        var rules: [Rule] = []
        for (index, item) in items.enumerated() {
            guard case .object(let fields) = item else { throw fail("`rules[\(index)]` must be an object") }
            for key in fields.keys where !["who", "methods", "commands"].contains(key) {
                throw fail("`rules[\(index)]`: unknown key `\(key)` (the keys are who, methods and commands)")
            }
            guard let who = fields["who"]?.strings, !who.isEmpty else {
                throw fail("`rules[\(index)].who` must be a non-empty list of keys, node names or @groups")
            }
            for name in who where name.hasPrefix("@") && groups[String(name.dropFirst())] == nil {
                throw fail("`rules[\(index)].who` names group \(name), which `groups` does not define")
            }
            guard let methods = fields["methods"]?.strings, !methods.isEmpty else {
                throw fail("`rules[\(index)].methods` must be a non-empty list of methods or \"*\"")
            }
            var commands: [[String]]?
            if let value = fields["commands"] {
                guard case .array(let patterns) = value else { throw fail(commandsError(index)) }
                let lists = patterns.compactMap(\.strings)
                guard lists.count == patterns.count, lists.allSatisfy({ !$0.isEmpty }) else { throw fail(commandsError(index)) }
                commands = lists
            }
            rules.append(Rule(who: who, methods: methods, commands: commands))
        }
        return AccessList(groups: groups, rules: rules)
    }

    private static func commandsError(_ index: Int) -> String {
        "`rules[\(index)].commands` must be a list of argv patterns (lists of strings)"
    }

    /// Why `message` (its signature already checked) may not run here, or nil when a rule allows it.
    public func refusal(of message: Message, signerTrusted: Bool) -> String? {
        guard !TrustPolicy.openMethods.contains(message.method) else { return nil }
        var identities: Set<String> = []
        if let signer = message.signedBy { identities.insert(signer) }
        if signerTrusted, let node = message.fromNode { identities.insert(node) }
        let isCommand = message.method == .cliCommand || message.method == .cliCommandCont
        for rule in rules where matches(rule.who, identities) && (rule.methods.contains("*") || rule.methods.contains(message.method.rawValue)) {
            guard isCommand, let commands = rule.commands else { return nil }
            if commands.contains(where: { Self.matches(pattern: $0, argv: message.methodArgs ?? []) }) { return nil }
        }
        let who = message.fromNode ?? "?"
        if isCommand {
            return "the ACL does not let \(who) run \((message.methodArgs ?? []).joined(separator: " ")) here"
        }
        return "the ACL does not let \(who) call `\(message.method)` here"
    }

    private func matches(_ who: [String], _ identities: Set<String>) -> Bool {
        who.contains { name in
            if name.hasPrefix("@") { return (groups[String(name.dropFirst())] ?? []).contains(where: identities.contains) }
            return identities.contains(name)
        }
    }

    /// `*` is any one argument; `**` as the last item is any rest (also none).
    static func matches(pattern: [String], argv: [String]) -> Bool {
        for (index, token) in pattern.enumerated() {
            if token == "**", index == pattern.count - 1 { return true }
            guard index < argv.count, token == "*" || token == argv[index] else { return false }
        }
        return pattern.count == argv.count
    }
}

/// An ACL file that cannot be used: names the file and what is wrong.
public struct AccessListError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var reason: String
    public var description: String { "ACL file \(path): \(reason)" }
}

extension JSONValue {
    /// The value as a list of strings, if it is one.
    fileprivate var strings: [String]? {
        guard case .array(let items) = self else { return nil }
        var result: [String] = []
        for item in items {
            guard case .string(let text) = item else { return nil }
            result.append(text)
        }
        return result
    }
}
