import Support

/// One hidden layer of a run file as the analysis measures it: its dataset name in every
/// snapshot group, the number its projection stream is keyed by, its width, and how it is stored.
public struct RecordedLayer: Sendable, Equatable, Codable {
    /// The stream key: φ_j of this layer comes from the stream (seed, key, j). It is the L of
    /// `layer_L` when every layer of the file is so named (today's runs: `layer_1`, `layer_2`, …;
    /// 0-based files: `layer_0`, …), else the layer's 1-based position in the file's order. Unique
    /// within a file, so it also identifies the layer (`--layers 2`).
    public var layer: Int
    /// The dataset name in each snapshot group (`layer_1`, `conv1`, `features.3`).
    public var name: String
    /// Units: the product of the dataset's dimensions after the first (n × width, or a conv map
    /// n × C × H × W flattened per sample).
    public var width: Int
    /// Stored element types other than float32 in the selected snapshots ("float64", "int16"),
    /// which are converted on read; empty when every snapshot stores float32.
    public var convertedFrom: [String]

    /// A layer from its parts.
    public init(layer: Int, name: String, width: Int, convertedFrom: [String] = []) {
        self.layer = layer
        self.name = name
        self.width = width
        self.convertedFrom = convertedFrom
    }
}

/// How a run file's layers are named, ordered and keyed (docs/files.md, "Layer names").
public enum LayerNaming {
    /// The root attribute listing the recorded layers' names in order (written by `train`, `run`
    /// and the Python recorder).
    public static let attribute = "layers"

    /// L of a name `layer_L` written the canonical way (decimal, no sign or leading zeros, L ≥ 0);
    /// nil for any other name.
    public static func index(of name: String) -> Int? {
        guard name.hasPrefix("layer_"), let value = Int(name.dropFirst(6)), value >= 0, "layer_\(value)" == name else { return nil }
        return value
    }

    /// The default name of the layer keyed `layer`: `layer_L`.
    public static func defaultName(_ layer: Int) -> String { "layer_\(layer)" }

    /// The stream key of each of `names` (in the file's order): every L when all are `layer_L`,
    /// else the 1-based positions. Either way the keys are distinct.
    public static func streamKeys(_ names: [String]) -> [Int] {
        let indices = names.map(index(of:))
        if indices.allSatisfy({ $0 != nil }), Set(indices).count == indices.count { return indices.map { $0! } }
        return names.indices.map { $0 + 1 }
    }

    /// Checks the names a file's `layers` attribute lists: not empty, distinct, and usable as
    /// dataset and group names (no `/`, not `.`).
    public static func check(_ names: [String], file: String) throws {
        guard !names.isEmpty else {
            throw InfoPlaneError("\(file): the root attribute 'layers' lists no layer: list the recorded layers' dataset names, or remove the attribute")
        }
        if let bad = names.first(where: { $0.isEmpty || $0 == "." || $0.contains("/") }) {
            throw InfoPlaneError("\(file): the root attribute 'layers' lists \"\(bad)\", which cannot name a dataset: use names without '/' (e.g. features.3)")
        }
        var seen = Set<String>()
        if let twice = names.first(where: { !seen.insert($0).inserted }) {
            throw InfoPlaneError("\(file): the root attribute 'layers' lists \"\(twice)\" twice: give every recorded layer its own name")
        }
    }

    /// The layers a `--layers` list selects from `layers`: each entry is a layer's name, or else a
    /// number matching its key (the L of `layer_L`, else its position). Unknown entries are an
    /// error naming what exists.
    public static func select(_ wanted: [String], from layers: [RecordedLayer], file: String) throws -> [RecordedLayer] {
        var keys = Set<Int>()
        for entry in wanted {
            if let byName = layers.first(where: { $0.name == entry }) {
                keys.insert(byName.layer)
            } else if let number = Int(entry), layers.contains(where: { $0.layer == number }) {
                keys.insert(number)
            } else {
                let present = layers.map { $0.name == defaultName($0.layer) ? String($0.layer) : "\($0.name) (\($0.layer))" }
                throw InfoPlaneError("--layers \(entry): \(file) has no layer \(entry) in every selected snapshot (it has \(present.joined(separator: ", "))): choose from those, by name or number")
            }
        }
        return layers.filter { keys.contains($0.layer) }
    }
}
