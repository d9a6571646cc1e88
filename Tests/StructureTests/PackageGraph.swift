import Foundation

/// The targets of Package.swift and their dependencies, read from its text (the manifest is
/// ours and keeps one `.target(name:, dependencies: [...])` call per target; products of other
/// packages are left out).
struct PackageGraph {
    /// Target name → the targets (of this package) it depends on.
    var dependencies: [String: [String]] = [:]
    /// Target name → its kind: `target`, `executableTarget`, `testTarget` or `systemLibrary`.
    var kinds: [String: String] = [:]

    init(manifest text: String) {
        for (name, kind, body) in Self.targetCalls(in: text) {
            kinds[name] = kind
            dependencies[name] = Self.localDependencies(in: body)
        }
    }

    /// `(name, kind, text of the call)` for every target call.
    private static func targetCalls(in text: String) -> [(String, String, String)] {
        let pattern = try! NSRegularExpression(pattern: #"\.(target|executableTarget|testTarget|systemLibrary)\(name: "([^"]+)""#)
        let ns = text as NSString
        let matches = pattern.matches(in: text, range: NSRange(location: 0, length: ns.length))
        return matches.enumerated().map { index, match in
            let end = index + 1 < matches.count ? matches[index + 1].range.location : ns.length
            let body = ns.substring(with: NSRange(location: match.range.location, length: end - match.range.location))
            return (ns.substring(with: match.range(at: 2)), ns.substring(with: match.range(at: 1)), body)
        }
    }

    /// The quoted names in a call's `dependencies: [...]`, `.product(...)` entries left out.
    private static func localDependencies(in call: String) -> [String] {
        guard let start = call.range(of: "dependencies: [") else { return [] }
        var depth = 1
        var list = ""
        for character in call[start.upperBound...] {
            if character == "[" { depth += 1 }
            if character == "]" { depth -= 1; if depth == 0 { break } }
            list.append(character)
        }
        let withoutProducts = list.replacingOccurrences(of: #"\.product\([^)]*\)"#, with: "", options: .regularExpression)
        let quoted = try! NSRegularExpression(pattern: #""([^"]+)""#)
        let ns = withoutProducts as NSString
        return quoted.matches(in: withoutProducts, range: NSRange(location: 0, length: ns.length)).map { ns.substring(with: $0.range(at: 1)) }
    }

    /// Every target `name` reaches through its dependencies (not itself).
    func closure(of name: String) -> Set<String> {
        var seen = Set<String>()
        var queue = dependencies[name] ?? []
        while let next = queue.popLast() {
            if seen.insert(next).inserted { queue += dependencies[next] ?? [] }
        }
        return seen
    }

    /// The edges between the modules of Sources/ (test targets left out), as `from → to`.
    var moduleEdges: Set<String> {
        Set(dependencies.filter { kinds[$0.key] != "testTarget" }.flatMap { from, to in to.map { "\(from) → \($0)" } })
    }
}
