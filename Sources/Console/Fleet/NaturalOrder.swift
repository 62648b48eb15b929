/// Names in the order people expect: runs of digits compare as numbers, so `pi-2` comes before `pi-10`.
enum NaturalOrder {
    /// Whether `a` comes before `b`; names equal as numbers (`pi-02`, `pi-2`) fall back to plain text order.
    static func precedes(_ a: String, _ b: String) -> Bool {
        let left = chunks(a)
        let right = chunks(b)
        for (x, y) in zip(left, right) where x != y {
            switch (x, y) {
            case (.number(let m), .number(let n)):
                if m.value != n.value { return m.value < n.value }
            case (.number, .text): return true
            case (.text, .number): return false
            case (.text(let s), .text(let t)): return s < t
            }
        }
        if left.count != right.count { return left.count < right.count }
        return a < b
    }

    /// `names` in natural order.
    static func sorted(_ names: some Sequence<String>) -> [String] {
        names.sorted(by: precedes)
    }

    private enum Chunk: Equatable {
        /// A run of digits: its value without leading zeros (as text, so no length overflows).
        case number(Digits)
        case text(Substring)
    }

    struct Digits: Equatable {
        var digits: Substring
        /// Compared by length, then text: the same as by value, for any number of digits.
        var value: Key { Key(digits: digits.drop { $0 == "0" }) }

        struct Key: Comparable {
            var digits: Substring
            static func < (lhs: Key, rhs: Key) -> Bool {
                lhs.digits.count != rhs.digits.count ? lhs.digits.count < rhs.digits.count : lhs.digits < rhs.digits
            }
        }
    }

    private static func chunks(_ name: String) -> [Chunk] {
        var result: [Chunk] = []
        var index = name.startIndex
        while index < name.endIndex {
            let isDigit = name[index].isASCIIDigit
            let end = name[index...].firstIndex { $0.isASCIIDigit != isDigit } ?? name.endIndex
            let run = name[index..<end]
            result.append(isDigit ? .number(Digits(digits: run)) : .text(run))
            index = end
        }
        return result
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
