/// A file of trusted public keys, one per line (`#` starts a comment): what `--trust FILE` reads, and
/// `<data-dir>/trusted-keys`, which a node reads at start and a central key rotation adds to.
public enum TrustedKeys {
    public static let fileName = "trusted-keys"

    /// A file that cannot be read, or a line that is not a key: the error names the file and the line.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// The keys in the file at `path`.
    public static func parse(file path: String) throws(Failure) -> Set<String> {
        let bytes: [UInt8]
        do {
            bytes = try FileSystem.read(path)
        } catch {
            throw Failure(description: "\(error)")
        }
        var keys = Set<String>()
        for (number, line) in String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let text = String(line.prefix { $0 != "#" }).trimmingSpaces
            guard !text.isEmpty else { continue }
            guard NodeKey.isPublicKey(text) else {
                throw Failure(description: "\(path), line \(number + 1): not a public key (base64 ed25519): \(text.prefix(100))")
            }
            keys.insert(text)
        }
        return keys
    }

    /// The keys of `<dataDirectory>/trusted-keys`; none when there is no such file.
    public static func read(dataDirectory: String) throws(Failure) -> Set<String> {
        let path = dataDirectory + "/" + fileName
        return FileSystem.exists(path) ? try parse(file: path) : []
    }

    /// Adds (or with `remove`, removes) `key` in `<dataDirectory>/trusted-keys`, written whole beside it and
    /// renamed in; returns whether the file changed.
    @discardableResult
    public static func update(_ key: String, remove: Bool = false, dataDirectory: String) throws(Failure) -> Bool {
        let path = dataDirectory + "/" + fileName
        var keys = try read(dataDirectory: dataDirectory)
        guard remove ? keys.remove(key) != nil : keys.insert(key).inserted else { return false }
        let text = "# Keys this node trusts (one per line); kept by bosun key rotations.\n"
            + keys.sorted().map { $0 + "\n" }.joined()
        do {
            try FileSystem.write(Array(text.utf8), to: path + ".new", mode: 0o644)
            try FileSystem.rename(path + ".new", to: path)
        } catch {
            throw Failure(description: "\(error)")
        }
        return true
    }
}
