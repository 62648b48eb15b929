/// A list of node names written short: `edge-gw, pi-[1-9,12]`.
enum NodeList {
    /// The names in natural order, those that differ only in a trailing number folded into one
    /// `prefix[ranges]` (zero-padded numbers only with others of their width, so each name can be read back).
    static func compact(_ names: some Sequence<String>) -> String {
        var groups: [GroupKey: [Int]] = [:]
        var alone: [String] = []
        for name in Set(names) {
            guard let (key, number) = split(name) else {
                alone.append(name)
                continue
            }
            groups[key, default: []].append(number)
        }
        // pi-01 … pi-12: the unpadded numbers of a padded width join the padded ones.
        for (key, numbers) in groups where key.width == 0 {
            let padded = Set(groups.keys.filter { $0.prefix == key.prefix && $0.width > 0 }.map(\.width))
            let moving = numbers.filter { padded.contains(String($0).count) }
            guard !moving.isEmpty else { continue }
            groups[key] = numbers.filter { !padded.contains(String($0).count) }
            for number in moving {
                groups[GroupKey(prefix: key.prefix, width: String(number).count), default: []].append(number)
            }
        }
        groups = groups.filter { !$0.value.isEmpty }
        var items: [(first: String, text: String)] = alone.map { ($0, $0) }
        for (key, numbers) in groups {
            let sorted = numbers.sorted()
            let first = key.prefix + key.format(sorted[0])
            if sorted.count == 1 {
                items.append((first, first))
            } else {
                items.append(
                    (first, key.prefix + "[" + ranges(sorted).map { key.format($0, $1) }.joined(separator: ",") + "]"))
            }
        }
        return items.sorted { NaturalOrder.precedes($0.first, $1.first) }.map(\.text).joined(separator: ", ")
    }

    private struct GroupKey: Hashable {
        var prefix: String
        /// The width of zero-padded numbers; 0 for plain ones.
        var width: Int

        func format(_ number: Int) -> String {
            let text = String(number)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }

        func format(_ low: Int, _ high: Int) -> String {
            low == high ? format(low) : format(low) + "-" + format(high)
        }
    }

    /// The name's prefix and trailing number; nil when it ends in no digit (or in too many to be a number).
    private static func split(_ name: String) -> (GroupKey, Int)? {
        let digits = name.reversed().prefix { $0.isASCIIDigit }
        guard !digits.isEmpty, digits.count <= 9, digits.count < name.count else { return nil }
        let text = String(digits.reversed())
        let padded = text.count > 1 && text.hasPrefix("0")
        return (GroupKey(prefix: String(name.dropLast(text.count)), width: padded ? text.count : 0), Int(text)!)
    }

    /// Runs of consecutive numbers in sorted `numbers`, as (first, last).
    private static func ranges(_ numbers: [Int]) -> [(Int, Int)] {
        var result: [(Int, Int)] = []
        for number in numbers {
            if let last = result.last, last.1 + 1 == number {
                result[result.count - 1].1 = number
            } else {
                result.append((number, number))
            }
        }
        return result
    }
}
