import Support
import Yams

/// A parsed configuration document: nested mappings, lists and scalars, with the key order of the
/// file kept (so error messages and the canonical text follow the user's layout).
public indirect enum ConfigTree: Equatable, Sendable {
    case scalar(String)
    case list([ConfigTree])
    case mapping([(key: String, value: ConfigTree)])

    /// Equal trees: the same scalars, lists and keys in the same order.
    public static func == (lhs: ConfigTree, rhs: ConfigTree) -> Bool {
        switch (lhs, rhs) {
        case let (.scalar(a), .scalar(b)): return a == b
        case let (.list(a), .list(b)): return a == b
        case let (.mapping(a), .mapping(b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: return false
        }
    }

    /// The text of a config file, with one-line errors for a missing or unreadable file.
    /// - Parameter shipped: named in the error as where the shipped files are.
    public static func text(ofFile path: String, shipped: String) throws -> String {
        guard FileManager.default.fileExists(atPath: path), let data = FileManager.default.contents(atPath: path) else {
            throw InfoPlaneError("no such config file: \(path) (\(shipped))")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw InfoPlaneError("cannot read config file \(path) as UTF-8 text")
        }
        return text
    }

    /// Parses YAML text; `source` names the file in error messages.
    public static func parse(yaml text: String, source: String) throws -> ConfigTree {
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw InfoPlaneError("\(source): not valid YAML (\(Self.oneLine(error))): fix the syntax at the place named")
        }
        guard let node else { return .mapping([]) }
        return try convert(node, path: "", source: source)
    }

    private static func convert(_ node: Node, path: String, source: String) throws -> ConfigTree {
        switch node {
        case .scalar(let scalar):
            return .scalar(scalar.string)
        case .sequence(let sequence):
            return .list(try sequence.map { try convert($0, path: path, source: source) })
        case .mapping(let mapping):
            var pairs: [(key: String, value: ConfigTree)] = []
            for (keyNode, valueNode) in mapping {
                guard case .scalar(let key) = keyNode else {
                    throw InfoPlaneError("\(source): a key under '\(path)' is not a plain name: use `name: value` pairs")
                }
                let childPath = path.isEmpty ? key.string : "\(path).\(key.string)"
                if pairs.contains(where: { $0.key == key.string }) {
                    throw InfoPlaneError("\(source): key '\(childPath)' appears twice: keep one")
                }
                pairs.append((key.string, try convert(valueNode, path: childPath, source: source)))
            }
            return .mapping(pairs)
        }
    }

    /// Sets the value at a dotted path (`training.epochs`), creating mappings on the way; used
    /// by `--set key=value`. The value text is parsed as YAML, so `[32, 32]` is a list.
    public mutating func set(path: String, valueText: String) throws {
        let components = path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard !components.isEmpty, components.allSatisfy({ !$0.isEmpty }) else {
            throw InfoPlaneError("--set \(path)=…: the key must be a dotted name such as training.epochs")
        }
        let value = try ConfigTree.parse(yaml: valueText, source: "--set \(path)")
        let parsedValue: ConfigTree
        if case .mapping(let pairs) = value, pairs.isEmpty { parsedValue = .scalar("") } else { parsedValue = value }
        try assign(components[...], parsedValue, fullPath: path)
    }

    private mutating func assign(_ components: ArraySlice<String>, _ value: ConfigTree, fullPath: String) throws {
        guard let head = components.first else {
            self = value
            return
        }
        guard case .mapping(var pairs) = self else {
            throw InfoPlaneError("--set \(fullPath)=…: '\(head)' is inside a value that is not a section")
        }
        if let index = pairs.firstIndex(where: { $0.key == head }) {
            try pairs[index].value.assign(components.dropFirst(), value, fullPath: fullPath)
        } else {
            var child: ConfigTree = .mapping([])
            try child.assign(components.dropFirst(), value, fullPath: fullPath)
            pairs.append((head, child))
        }
        self = .mapping(pairs)
    }

    private static func oneLine(_ error: YamlError) -> String {
        String(describing: error).split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }.joined(separator: " ")
    }
}

import Foundation
