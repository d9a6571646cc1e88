import Support

/// Reads one mapping of a configuration strictly: every key it is asked for is marked as known,
/// and ``finish()`` rejects whatever is left, naming the key and the closest known one.
final class SectionReader {
    let path: String
    let source: String
    private let pairs: [(key: String, value: ConfigTree)]
    private var known: [String] = []

    init(_ tree: ConfigTree, path: String, source: String) throws {
        self.path = path
        self.source = source
        switch tree {
        case .mapping(let pairs): self.pairs = pairs
        case .scalar(let text) where text.isEmpty: self.pairs = []
        default:
            throw InfoPlaneError("\(source): '\(path.isEmpty ? "the document" : path)' must be a section of `key: value` lines")
        }
    }

    private func qualified(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    private func value(_ key: String) -> ConfigTree? {
        known.append(key)
        return pairs.first(where: { $0.key == key })?.value
    }

    private func scalar(_ key: String) throws -> String? {
        guard let value = value(key) else { return nil }
        guard case .scalar(let text) = value else {
            throw InfoPlaneError("\(source): '\(qualified(key))' must be a single value, not a list or section")
        }
        // `key:` with nothing after it is a value left out by mistake, not a wish for the default.
        guard !text.isEmpty else {
            throw InfoPlaneError("\(source): '\(qualified(key))' has no value: give one, or remove the key to take its default")
        }
        return text
    }

    func section(_ key: String) throws -> SectionReader {
        try SectionReader(value(key) ?? .mapping([]), path: qualified(key), source: source)
    }

    func has(_ key: String) -> Bool { pairs.contains(where: { $0.key == key }) }

    func string(_ key: String, default fallback: String) throws -> String {
        try scalar(key) ?? fallback
    }

    func optionalString(_ key: String) throws -> String? { try scalar(key) }

    func choice(_ key: String, from allowed: [String], default fallback: String) throws -> String {
        let text = try scalar(key) ?? fallback
        guard allowed.contains(text) else {
            throw InfoPlaneError("\(source): '\(qualified(key))' is '\(text)'; choose one of \(allowed.joined(separator: ", "))")
        }
        return text
    }

    /// One of the cases of `Choice` by its raw value; the error lists them in declaration order.
    func choice<Choice: RawRepresentable & CaseIterable>(_ key: String, default fallback: Choice) throws -> Choice
        where Choice.RawValue == String {
        Choice(rawValue: try choice(key, from: Choice.allCases.map(\.rawValue), default: fallback.rawValue))!
    }

    func int(_ key: String, default fallback: Int, in range: ClosedRange<Int>, why: String = "") throws -> Int {
        guard let text = try scalar(key) else { return fallback }
        return try parseInt(text, key: key, range: range, why: why)
    }

    func optionalInt(_ key: String, in range: ClosedRange<Int>, why: String = "") throws -> Int? {
        guard let text = try scalar(key) else { return nil }
        return try parseInt(text, key: key, range: range, why: why)
    }

    private func parseInt(_ text: String, key: String, range: ClosedRange<Int>, why: String) throws -> Int {
        guard let number = Int(text.replacingOccurrences(of: "_", with: "")) else {
            throw InfoPlaneError("\(source): '\(qualified(key))' must be a whole number, got '\(text)'")
        }
        guard range.contains(number) else {
            throw InfoPlaneError("\(source): '\(qualified(key))' = \(number) is impossible: \(Self.describe(range))\(why)")
        }
        return number
    }

    func double(_ key: String, default fallback: Double, in range: ClosedRange<Double>, openLower: Bool = false) throws -> Double {
        guard let text = try scalar(key) else { return fallback }
        guard let number = Double(text), number.isFinite else {
            throw InfoPlaneError("\(source): '\(qualified(key))' must be a finite number, got '\(text)'")
        }
        guard range.contains(number), !(openLower && number == range.lowerBound) else {
            let lower = openLower ? "greater than \(range.lowerBound)" : "at least \(range.lowerBound)"
            throw InfoPlaneError("\(source): '\(qualified(key))' = \(text) is impossible: it must be \(lower) and at most \(range.upperBound)")
        }
        return number
    }

    func intList(_ key: String, in range: ClosedRange<Int>, why: String = "") throws -> [Int]? {
        guard let value = value(key) else { return nil }
        guard case .list(let items) = value else {
            throw InfoPlaneError("\(source): '\(qualified(key))' must be a list such as [64, 64, 64]")
        }
        return try items.map { item in
            guard case .scalar(let text) = item else {
                throw InfoPlaneError("\(source): '\(qualified(key))' must be a flat list of whole numbers")
            }
            return try parseInt(text, key: key, range: range, why: why)
        }
    }

    /// The items of a list value (nil when the key is absent).
    func list(_ key: String) throws -> [ConfigTree]? {
        guard let value = value(key) else { return nil }
        guard case .list(let items) = value else {
            throw InfoPlaneError("\(source): '\(qualified(key))' must be a list, one entry per line starting with '- '")
        }
        return items
    }

    /// `true` or `false`.
    func bool(_ key: String, default fallback: Bool) throws -> Bool {
        guard let text = try scalar(key) else { return fallback }
        switch text {
        case "true": return true
        case "false": return false
        default: throw InfoPlaneError("\(source): '\(qualified(key))' must be true or false, got '\(text)'")
        }
    }

    func doubleList(_ key: String) throws -> [Double]? {
        guard let value = value(key) else { return nil }
        guard case .list(let items) = value else {
            throw InfoPlaneError("\(source): '\(qualified(key))' must be a list of numbers such as [0.1, 0.5, 0.9]")
        }
        return try items.map { item in
            guard case .scalar(let text) = item, let number = Double(text), number.isFinite else {
                throw InfoPlaneError("\(source): '\(qualified(key))' must be a flat list of finite numbers")
            }
            return number
        }
    }

    /// Rejects keys that were never asked for.
    func finish() throws {
        for (key, _) in pairs where !known.contains(key) {
            var message = "\(source): unknown key '\(qualified(key))'"
            if let guess = Self.closest(to: key, in: known) {
                message += " (did you mean '\(qualified(guess))'?)"
            } else {
                message += "; known keys here: \(Array(Set(known)).sorted().joined(separator: ", "))"
            }
            throw InfoPlaneError(message)
        }
    }

    private static func describe(_ range: ClosedRange<Int>) -> String {
        if range.upperBound == Int.max { return "it must be at least \(range.lowerBound)" }
        return "it must be between \(range.lowerBound) and \(range.upperBound)"
    }

    /// The known key within edit distance 2, if any (for "did you mean").
    static func closest(to key: String, in candidates: [String]) -> String? {
        let scored = candidates.map { ($0, editDistance(key, $0)) }.filter { $0.1 <= 2 }
        return scored.min(by: { $0.1 < $1.1 })?.0
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = Swift.min(previous[j] + 1, current[j - 1] + 1,
                                       previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
