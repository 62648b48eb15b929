import Synchronization

/// Time-ordered message ids (UUIDv7, RFC 9562): sorting ids as strings sorts them by creation time.
///
/// Within one process ids are strictly increasing, also when many are made in the same millisecond:
/// the 12-bit `rand_a` field counts up inside a millisecond, and the clock is held back if it steps backwards.
public enum MessageID {
    private static let last = Mutex<(millis: UInt64, counter: UInt16)>((0, 0))

    /// A new id, later than every id this process made before.
    public static func make(now: Timestamp = .now) -> String {
        let wallMillis = UInt64(max(0, now.millisecondsSinceEpoch))
        let (millis, counter) = last.withLock { state -> (UInt64, UInt16) in
            if wallMillis > state.millis {
                state = (wallMillis, UInt16.random(in: 0..<0x400))
            } else if state.counter < 0xFFF {
                state.counter += 1
            } else {
                state = (state.millis + 1, 0)
            }
            return state
        }
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in 0..<6 { bytes[index] = UInt8(truncatingIfNeeded: millis >> (8 * (5 - index))) }
        bytes[6] = 0x70 | UInt8(counter >> 8)
        bytes[7] = UInt8(truncatingIfNeeded: counter)
        var random = UInt64.random(in: .min ... .max)
        bytes[8] = 0x80 | UInt8(truncatingIfNeeded: random & 0x3F)
        for index in 9..<16 {
            random >>= 8
            bytes[index] = index == 15 ? UInt8.random(in: 0...255) : UInt8(truncatingIfNeeded: random)
        }
        return format(bytes)
    }

    /// Whether `text` looks like an id a person may give: 1 to 64 characters of `[A-Za-z0-9_-]`.
    public static func isValid(_ text: String) -> Bool { NodeName.isValid(text) && text.utf8.count <= 64 }

    private static func format(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(36)
        for (index, byte) in bytes.enumerated() {
            if index == 4 || index == 6 || index == 8 || index == 10 { out.append(UInt8(ascii: "-")) }
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
