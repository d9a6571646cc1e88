import Foundation
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

    /// The text of a config file, with one-line errors for a missing, unreadable, oversized or
    /// non-UTF-8 file. At most ``YAMLLimits/maximumBytes`` + 1 bytes are read, so a huge file or
    /// an endless device (`/dev/zero`) is refused without being read to its end.
    /// A relative path missing from the current directory is looked for in the checkout the
    /// binary was built in (``ProjectFiles``), so `configs/…` works from any directory.
    /// - Parameter shipped: named in the error as where the shipped files are.
    public static func text(ofFile given: String, shipped: String) throws -> String {
        guard let path = ProjectFiles.locate(given) else {
            let tried = ProjectFiles.candidates(given).joined(separator: ", ")
            let place = ProjectFiles.root.map { ", in \($0)" } ?? ""
            throw InfoPlaneError("no such config file: \(given) (looked for \(tried)): check the path (\(shipped)\(place))")
        }
        var isDirectory: ObjCBool = false
        guard !(FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue) else {
            throw InfoPlaneError("\(path) is a directory, not a config file: name a YAML file (\(shipped))")
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw InfoPlaneError("cannot open config file \(path): check its permissions")
        }
        defer { try? handle.close() }
        let data: Data
        do {
            data = try handle.read(upToCount: YAMLLimits.maximumBytes + 1) ?? Data()
        } catch {
            throw InfoPlaneError("cannot read config file \(path) (\(error.localizedDescription)): check that it is a readable file")
        }
        guard data.count <= YAMLLimits.maximumBytes else { throw YAMLLimits.tooLarge(path) }
        guard let text = String(data: data, encoding: .utf8) else {
            throw InfoPlaneError("cannot read config file \(path) as UTF-8 text")
        }
        return text
    }

    /// The document of a config file, refused if it holds nothing (empty, or only blanks and
    /// comments: an accident, such as a truncated copy, rather than a wish for every default).
    public static func document(ofFile path: String, shipped: String) throws -> ConfigTree {
        guard let tree = try parseDocument(yaml: try text(ofFile: path, shipped: shipped), source: path) else {
            throw InfoPlaneError("\(path) is empty: it holds no settings, only blank lines or comments; write the keys it sets (\(shipped))")
        }
        return tree
    }

    /// Parses YAML text; `source` names the file in error messages. A document with no content
    /// is an empty mapping (a run file written by other tools stores no config).
    public static func parse(yaml text: String, source: String) throws -> ConfigTree {
        try parseDocument(yaml: text, source: source) ?? .mapping([])
    }

    /// The tree of `text`, or nil when it holds no document (only blanks or comments), after
    /// the ``YAMLLimits`` are checked.
    private static func parseDocument(yaml text: String, source: String) throws -> ConfigTree? {
        try YAMLLimits.check(text, source: source)
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw InfoPlaneError("\(source): not valid YAML (\(Self.oneLine(error))): fix the syntax at the place named")
        }
        return try node.map { try convert($0, path: "", source: source) }
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
        // An empty value is a slip (a shell variable that was not set), not a wish for the default.
        guard let value = try ConfigTree.parseDocument(yaml: valueText, source: "--set \(path)") else {
            throw InfoPlaneError("--set \(path)= has no value: write one, e.g. --set \(path)=5, or drop the option to keep the config's")
        }
        try assign(components[...], value, fullPath: path)
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
