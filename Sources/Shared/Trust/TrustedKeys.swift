/// A file of trusted public keys, one per line (`#` starts a comment): what `--trust FILE` reads, and
/// `<data-dir>/trusted-keys`, which a node reads at start and a central key rotation adds to. There, a line
/// `-KEY` revokes a key (`bosun keys retire`), even one given with `--trust`.
public enum TrustedKeys {
    /// The keys a file trusts, and those it revokes.
    public struct Entries: Sendable, Equatable {
        public var trusted: Set<String>
        public var revoked: Set<String>

        public init(trusted: Set<String> = [], revoked: Set<String> = []) {
            self.trusted = trusted
            self.revoked = revoked
        }
    }

    public static let fileName = "trusted-keys"

    /// A file that cannot be read, or a line that is not a key: the error names the file and the line.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// The keys the file at `path` trusts.
    public static func parse(file path: String) throws(Failure) -> Set<String> {
        try entries(file: path).trusted
    }

    /// The keys the file at `path` trusts and revokes.
    public static func entries(file path: String) throws(Failure) -> Entries {
        let bytes: [UInt8]
        do {
            bytes = try FileSystem.read(path)
        } catch {
            throw Failure(description: "\(error)")
        }
        var entries = Entries()
        for (number, line) in String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var text = String(line.prefix { $0 != "#" }).trimmingSpaces
            guard !text.isEmpty else { continue }
            let revoked = text.hasPrefix("-")
            if revoked { text.removeFirst() }
            guard NodeKey.isPublicKey(text) else {
                throw Failure(description: "\(path), line \(number + 1): not a public key (base64 ed25519): \(text.prefix(100))")
            }
            if revoked { entries.revoked.insert(text) } else { entries.trusted.insert(text) }
        }
        entries.trusted.subtract(entries.revoked)
        return entries
    }

    /// The entries of `<dataDirectory>/trusted-keys`; none when there is no such file.
    public static func read(dataDirectory: String) throws(Failure) -> Entries {
        let path = dataDirectory + "/" + fileName
        return FileSystem.exists(path) ? try entries(file: path) : Entries()
    }

    /// Trusts (or with `revoke`, revokes) `key` in `<dataDirectory>/trusted-keys`, written whole beside it and
    /// renamed in; returns the entries now in force.
    @discardableResult
    public static func update(_ key: String, revoke: Bool = false, dataDirectory: String) throws(Failure) -> Entries {
        let path = dataDirectory + "/" + fileName
        var entries = try read(dataDirectory: dataDirectory)
        if revoke {
            entries.trusted.remove(key)
            entries.revoked.insert(key)
        } else {
            entries.revoked.remove(key)
            entries.trusted.insert(key)
        }
        let text = "# Keys this node trusts (one per line; -KEY revokes one); kept by bosun key rotations.\n"
            + entries.trusted.sorted().map { $0 + "\n" }.joined() + entries.revoked.sorted().map { "-" + $0 + "\n" }.joined()
        do {
            try FileSystem.write(Array(text.utf8), to: path + ".new", mode: 0o644)
            try FileSystem.rename(path + ".new", to: path)
        } catch {
            throw Failure(description: "\(error)")
        }
        return entries
    }
}
