/// A node's own key rotation (`bosun-agent --rotate-key`): a new key, and the old key's signature handing the
/// node over to it, kept in `<data-dir>/key-rotation` and sent in every hello, so the central node replaces the
/// key it has on record without an alarm, whenever it next hears from the node.
public enum KeyRotation {
    public static let fileName = "key-rotation"

    public struct Endorsement: Sendable, Equatable {
        public var previousKey: String
        public var signature: String
    }

    /// Replaces the key at `keyPath` by a new one (the old one kept beside it as `.previous`), and records the
    /// old key's endorsement of the new one for `node`. Returns the new key.
    public static func rotate(keyPath: String, node: String, dataDirectory: String) throws(FileSystem.Failure) -> NodeKey {
        let old = try NodeKey.load(path: keyPath)
        let new = NodeKey()
        guard let signature = old.signature(of: Hello.rotationBytes(node: node, newKey: new.publicKey)) else {
            throw FileSystem.Failure(path: keyPath, operation: "signing the new key with the old one", errno: 5)
        }
        try FileSystem.write(
            Array("\(old.publicKey)\n\(signature)\n".utf8), to: dataDirectory + "/" + fileName, mode: 0o600)
        try old.save(path: keyPath + ".previous")
        try new.save(path: keyPath + ".new")
        try FileSystem.rename(keyPath + ".new", to: keyPath)
        return new
    }

    /// The endorsement to send in hellos, if this node rotated its key.
    public static func endorsement(dataDirectory: String) -> Endorsement? {
        guard let bytes = try? FileSystem.read(dataDirectory + "/" + fileName) else { return nil }
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n").map(String.init)
        guard lines.count >= 2, NodeKey.isPublicKey(lines[0]) else { return nil }
        return Endorsement(previousKey: lines[0], signature: lines[1])
    }
}
