import Foundation

/// Comparisons of canonical `key: value` texts: a config's ``ExperimentConfig/canonicalText``
/// (resume refuses another config) and a plane's identity lines (resume refuses other settings).
public enum CanonicalText {
    /// The lines that differ, keyed by dotted path (`training.epochs: 5 ≠ 9`); a key only one
    /// side has is `(unset)` on the other.
    public static func differences(_ a: String, _ b: String) -> [String] {
        let left = flatten(a), right = flatten(b)
        let rightMap = Dictionary(right, uniquingKeysWith: { x, _ in x })
        let leftMap = Dictionary(left, uniquingKeysWith: { x, _ in x })
        var result: [String] = []
        for (key, value) in left where rightMap[key] != value {
            result.append("\(key): \(value) ≠ \(rightMap[key] ?? "(unset)")")
        }
        for (key, value) in right where leftMap[key] == nil {
            result.append("\(key): (unset) ≠ \(value)")
        }
        return result
    }

    /// `(dotted key, value)` per line; an unindented line without a value opens a section.
    private static func flatten(_ text: String) -> [(String, String)] {
        var section = ""
        return text.split(separator: "\n").compactMap { line in
            let indented = line.hasPrefix("  ")
            let parts = line.trimmingCharacters(in: .whitespaces).split(separator: ":", maxSplits: 1)
            let key = String(parts[0])
            let value = parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : ""
            if !indented && value.isEmpty { section = key; return nil }
            return (indented ? "\(section).\(key)" : key, value)
        }
    }
}
