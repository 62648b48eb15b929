import FoundationEssentials
import Shared

/// A message's `data` as bytes.
enum MessageContent {
    /// The bytes of `data`, decoding base64 when `dataEncoding` says so; empty without data.
    static func bytes(of message: Message) throws(ArgumentError) -> [UInt8] {
        guard let data = message.data else { return [] }
        guard message.dataEncoding == "base64" else { return Array(data.utf8) }
        guard let decoded = Data(base64Encoded: data) else {
            throw ArgumentError("data", "is not valid base64 (dataEncoding is base64)")
        }
        return Array(decoded)
    }
}
