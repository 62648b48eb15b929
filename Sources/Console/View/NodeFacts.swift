import Shared

/// The facts of a node's hello, read loosely: any of them may be missing or of another type.
public struct NodeFacts: Equatable, Sendable {
    public var version: String?
    public var hostname: String?
    public var os: String?
    public var arch: String?
    /// Seconds since the node booted, when it said.
    public var uptime: Double?
    /// How often its NATS connection came back since the agent started, when it said.
    public var reconnects: Int?

    public init(_ bytes: [UInt8]?) {
        guard let bytes, case .object(let object)? = try? JSONValue.parse(bytes) else { return }
        func text(_ key: String) -> String? {
            switch object[key] {
            case .string(let value)?: return value
            case .number(let value)?: return JSONValue.number(value).excerpt
            default: return nil
            }
        }
        version = text("version")
        hostname = text("hostname")
        os = text("os")
        arch = text("arch")
        if case .number(let value)? = object["uptime"] { uptime = value }
        if case .number(let value)? = object["reconnects"] { reconnects = Int(value) }
    }
}
