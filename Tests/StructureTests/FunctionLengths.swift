import Foundation

/// The length in lines of every function, initialiser, subscript and computed property of a
/// Swift source, from its declaration to its closing brace. Comments and string literals are
/// blanked first, so braces inside them do not count.
enum FunctionLengths {
    struct Function: Equatable {
        /// The declaration's first line (1-based).
        var line: Int
        /// Lines from the declaration to the closing brace, both included.
        var length: Int
        /// The declaration as written, trimmed.
        var declaration: String
    }

    static let declaration = try! NSRegularExpression(pattern:
        #"^\s*(@\w+(\([^)]*\))?\s+)*((public|private|internal|fileprivate|static|class|final|override|mutating|nonmutating|convenience|required|nonisolated)\s+)*(func\s|init[?!]?[(<]|deinit\b|subscript\b|var\s+\w+\s*:[^=]*\{)"#)

    static func functions(in source: String) -> [Function] {
        let lines = blanked(source).components(separatedBy: "\n")
        let original = source.components(separatedBy: "\n")
        var result: [Function] = []
        for (index, line) in lines.enumerated() {
            let range = NSRange(location: 0, length: (line as NSString).length)
            guard declaration.firstMatch(in: line, range: range) != nil, let end = closingLine(lines, from: index) else { continue }
            result.append(Function(line: index + 1, length: end - index + 1,
                                   declaration: original[index].trimmingCharacters(in: .whitespaces)))
        }
        return result
    }

    /// The line holding the brace that closes the body opened at or after `start` (a protocol
    /// requirement, with no body within a few lines, has none).
    private static func closingLine(_ lines: [String], from start: Int) -> Int? {
        var depth = 0, opened = false
        for index in start..<lines.count {
            for character in lines[index] {
                if character == "{" { depth += 1; opened = true }
                if character == "}" { depth -= 1 }
                if opened && depth == 0 { return index }
            }
            if !opened && index > start + 8 { return nil }
        }
        return nil
    }

    /// `source` with comments and the contents of string literals replaced by spaces (line
    /// breaks kept). Interpolations are blanked with their string.
    static func blanked(_ source: String) -> String {
        let characters = Array(source)
        var out: [Character] = []
        out.reserveCapacity(characters.count)
        var i = 0
        func blank(_ c: Character) { out.append(c == "\n" ? "\n" : " ") }
        func starts(_ text: String, at position: Int) -> Bool {
            let t = Array(text)
            return position + t.count <= characters.count && Array(characters[position..<(position + t.count)]) == t
        }
        while i < characters.count {
            if starts("//", at: i) {
                while i < characters.count && characters[i] != "\n" { blank(characters[i]); i += 1 }
            } else if starts("/*", at: i) {
                while i < characters.count && !starts("*/", at: i) { blank(characters[i]); i += 1 }
                if i < characters.count { blank("*"); blank("/"); i += 2 }
            } else if characters[i] == "\"" || (characters[i] == "#" && starts("#\"", at: i)) {
                i = skipString(characters, from: i, blank: blank)
            } else {
                out.append(characters[i])
                i += 1
            }
        }
        return String(out)
    }

    /// Blanks the string literal starting at `start` (plain, multi-line or raw) and returns the
    /// position after it; interpolations `\( … )` are skipped by counting parentheses.
    private static func skipString(_ c: [Character], from start: Int, blank: (Character) -> Void) -> Int {
        var i = start
        var hashes = 0
        while c[i] == "#" { hashes += 1; blank("#"); i += 1 }
        let multiLine = i + 2 < c.count && c[i] == "\"" && c[i + 1] == "\"" && c[i + 2] == "\""
        let quote = multiLine ? 3 : 1
        for _ in 0..<quote { blank("\""); i += 1 }
        let close = Array(String(repeating: "\"", count: quote) + String(repeating: "#", count: hashes))
        while i < c.count {
            if i + close.count <= c.count && Array(c[i..<(i + close.count)]) == close {
                for _ in close { blank(" ") }
                return i + close.count
            }
            if c[i] == "\\" && hashes == 0 && i + 1 < c.count {
                if c[i + 1] == "(" {
                    var depth = 0
                    repeat {
                        if c[i] == "(" { depth += 1 }
                        if c[i] == ")" { depth -= 1 }
                        blank(c[i]); i += 1
                    } while i < c.count && depth > 0
                    continue
                }
                blank(c[i]); blank(c[i + 1]); i += 2
                continue
            }
            blank(c[i]); i += 1
        }
        return i
    }
}
