import Foundation

/// The one reader of comma-separated lists on the command line (`--layers 1,3`,
/// `--dimensions 1,2,10`, `--values 0,0.5`, `--hidden 64,64`, `--sizes 1000,10000`).
public enum CommaSeparated {
    /// Whole numbers of at least `minimum`, e.g. `--layers 1,3`.
    /// - Parameters:
    ///   - option: the flag, named in the error.
    ///   - example: a valid list, shown in the error.
    public static func integers(_ text: String, option: String, example: String, minimum: Int = Int.min) throws -> [Int] {
        let kind = minimum == 0 ? "non-negative whole numbers" : minimum == 1 ? "positive whole numbers" : "whole numbers"
        return try values(text, option: option, example: example, kind: kind) { Int($0).flatMap { $0 >= minimum ? $0 : nil } }
    }

    /// Numbers, e.g. `--values 0,0.3,0.6` (`nan` and `inf` are read: the caller's checks name
    /// why such a value is impossible where it is used).
    public static func numbers(_ text: String, option: String, example: String) throws -> [Double] {
        try values(text, option: option, example: example, kind: "numbers") { Double($0) }
    }

    /// Non-empty texts, e.g. `--layers conv1,fc.0,3` (names and numbers alike).
    public static func names(_ text: String, option: String, example: String) throws -> [String] {
        try values(text, option: option, example: example, kind: "names or numbers") { $0.isEmpty ? nil : $0 }
    }

    /// Splits at commas (spaces around items allowed, empty items not) and reads every item
    /// with `parse`; an item it rejects makes the whole list a one-line error.
    private static func values<T>(_ text: String, option: String, example: String, kind: String,
                                  _ parse: (String) -> T?) throws -> [T] {
        let items = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        let parsed = items.compactMap(parse)
        guard !text.trimmingCharacters(in: .whitespaces).isEmpty, parsed.count == items.count else {
            throw InfoPlaneError("\(option) \(text) is not a comma-separated list of \(kind): write it like \(option) \(example)")
        }
        return parsed
    }
}
