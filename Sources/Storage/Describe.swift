/// Longest string attribute shown in full by `describe`; longer ones (config text) are cut.
private let shownStringLength = 60
/// Most array elements shown by `describe`.
private let shownArrayCount = 8

extension HDF5Group {
    /// The tree under this group, one line per object, like `h5ls -r` with attributes:
    ///
    ///     /  group
    ///         @format = "infoplane-run"
    ///     /evaluation  group
    ///     /evaluation/inputs  float32 [1000, 784]
    ///     /training/epoch  int64 [12] max [unlimited], chunks [1024]
    ///
    /// Groups deeper than `maxDepth` levels below this one are listed without their contents.
    /// Long strings and arrays are shortened so every line stays readable.
    public func describe(maxDepth: Int = .max) throws -> [String] {
        try HDF5Library.run {
            var lines: [String] = []
            try describeGroup(self, remainingDepth: maxDepth, into: &lines)
            return lines
        }
    }
}

private func describeGroup(_ group: HDF5Group, remainingDepth: Int, into lines: inout [String]) throws {
    let members = try group.members()
    let hidden = remainingDepth <= 0 && !members.isEmpty
    let plural = members.count == 1 ? "" : "s"
    lines.append("\(group.path)  group" + (hidden ? ", \(members.count) member\(plural) not listed" : ""))
    try describeAttributes(of: group, into: &lines)
    guard !hidden else { return }
    for member in members {
        let childPath = group.path == "/" ? "/" + member.name : group.path + "/" + member.name
        switch member.kind {
        case .group:
            try describeGroup(HDF5Group(file: group.file, path: childPath), remainingDepth: remainingDepth - 1,
                              into: &lines)
        case .dataset:
            let dataset = HDF5Dataset(file: group.file, path: childPath)
            lines.append("\(childPath)  " + datasetSummary(try dataset.info()))
            try describeAttributes(of: dataset, into: &lines)
        case .other:
            lines.append("\(childPath)  (named datatype or dangling link)")
        }
    }
}

/// "float32 [1000, 784]", plus maximum shape, chunks and filters when they say something.
func datasetSummary(_ info: DatasetInfo) -> String {
    var text = info.elementType + " " + (info.shape.isEmpty ? "scalar" : "\(info.shape)")
    if info.maxShape.map({ $0 ?? -1 }) != info.shape {
        text += " max [" + info.maxShape.map { $0.map(String.init) ?? "unlimited" }.joined(separator: ", ") + "]"
    }
    if let chunks = info.chunkShape { text += ", chunks \(chunks)" }
    if !info.filters.isEmpty { text += ", " + info.filters.joined(separator: ", ") }
    return text
}

private func describeAttributes(of object: some HDF5Object, into lines: inout [String]) throws {
    for name in try object.attributeNames() {
        switch try object.storedAttribute(name) {
        case .value(let value)?: lines.append("    @\(name) = \(shortened(value))")
        case .unsupported(let type)?: lines.append("    @\(name): \(type) (not shown)")
        case nil: break
        }
    }
}

/// A one-line rendering: control characters escaped, long strings and arrays cut with a count.
func shortened(_ value: AttributeValue) -> String {
    func list<T>(_ values: [T]) -> String {
        let shown = values.prefix(shownArrayCount).map { "\($0)" }
        let rest = values.count > shownArrayCount ? ", … (\(values.count) values)" : ""
        return "[" + shown.joined(separator: ", ") + rest + "]"
    }
    switch value {
    case .string(let text):
        let escaped = text.unicodeScalars.map { scalar -> String in
            switch scalar {
            case "\n": return "\\n"
            case "\t": return "\\t"
            case "\r": return "\\r"
            case "\"": return "\\\""
            default: return scalar.value < 0x20 ? "\\u{\(String(scalar.value, radix: 16))}" : String(scalar)
            }
        }.joined()
        guard escaped.count > shownStringLength else { return "\"\(escaped)\"" }
        return "\"\(escaped.prefix(shownStringLength))…\" (\(text.count) characters)"
    case .int, .double: return value.description
    case .ints(let values): return list(values)
    case .doubles(let values): return list(values)
    case .strings(let texts): return list(texts.map { shortened(.string($0)) })
    }
}
