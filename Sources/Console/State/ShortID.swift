/// The short form of a message id shown on screen.
///
/// Ids are UUIDv7, whose leading characters are the creation time and so alike for messages sent together;
/// the last six hex digits are random, so they tell messages apart.
public enum ShortID {
    public static let length = 6

    public static func of(_ id: String) -> String { String(plain(id).suffix(length)) }

    /// The id in lower case without dashes.
    static func plain(_ id: String) -> String { id.lowercased().filter { $0 != "-" } }
}
