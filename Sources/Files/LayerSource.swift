import Foundation
import Storage
import Support

/// Which evaluation samples an analysis uses: the first `count` rows of the run file, or the
/// listed rows (ascending). The same selection applies to the inputs, the labels and every layer.
public enum SampleRows: Codable, Sendable, Equatable {
    /// Rows `0 ..< count`.
    case first(Int)
    /// These rows, ascending.
    case subset([Int])

    /// Samples selected.
    public var count: Int {
        switch self {
        case .first(let count): count
        case .subset(let rows): rows.count
        }
    }

    /// The file rows of selected samples `positions`, as runs of consecutive rows: each
    /// `(file: rows in the file, at: first position they fill)`.
    public func runs(_ positions: Range<Int>) -> [(file: Range<Int>, at: Int)] {
        switch self {
        case .first: return positions.isEmpty ? [] : [(positions, positions.lowerBound)]
        case .subset(let rows):
            var runs: [(file: Range<Int>, at: Int)] = []
            for position in positions {
                if let last = runs.last, last.file.upperBound == rows[position] {
                    runs[runs.count - 1].file = last.file.lowerBound..<(rows[position] + 1)
                } else {
                    runs.append((rows[position]..<(rows[position] + 1), position))
                }
            }
            return runs
        }
    }

    /// The selected rows of a row-major matrix of `columns` values per row.
    public func select<T>(_ values: [T], columns: Int) -> [T] {
        switch self {
        case .first(let count): return Array(values.prefix(count * columns))
        case .subset(let rows): return rows.flatMap { values[($0 * columns)..<(($0 + 1) * columns)] }
        }
    }
}

/// Where an analysis reads each snapshot-layer, so that any rank can read its share of one
/// straight into memory it owns (a node's shared window): the run file, the snapshot groups in
/// the plan's epoch order, and the selected samples. Only dataset paths of the documented schema
/// are used (`/snapshots/<group>/<name>`, the trainer's `layer_L` unless the file names its
/// layers otherwise).
public struct LayerSource: Codable, Sendable, Equatable {
    /// The run file.
    public var runPath: String
    /// The snapshot group of each analysed epoch, in plan order.
    public var groups: [String]
    /// The samples read.
    public var rows: SampleRows
    /// The dataset name of each layer key whose name is not the trainer's `layer_L`.
    public var names: [Int: String]

    /// A source from its parts.
    public init(runPath: String, groups: [String], rows: SampleRows, names: [Int: String] = [:]) {
        self.runPath = runPath
        self.groups = groups
        self.rows = rows
        self.names = names
    }

    /// The source of `epochs` (each present in `reader`) with `rows`, reading `layers` by their
    /// dataset names.
    public init(reader: RunFileReader, epochs: [Int], rows: SampleRows, layers: [RecordedLayer] = []) throws {
        let groups = try epochs.map { epoch in
            guard let group = reader.snapshotGroups.first(where: { $0.epoch == epoch })?.group else {
                throw InfoPlaneError("\(reader.path) has no snapshot at epoch \(epoch): choose epochs it has with --epochs")
            }
            return group
        }
        self.init(runPath: reader.path, groups: groups, rows: rows, names: Self.names(keys: layers.map(\.layer), names: layers.map(\.name)))
    }

    /// ``names`` for layers keyed `keys` with dataset names `names` (only those that are not `layer_L`).
    public static func names(keys: [Int], names: [String]) -> [Int: String] {
        Dictionary(uniqueKeysWithValues: zip(keys, names).filter { $0.1 != LayerNaming.defaultName($0.0) })
    }

    /// The dataset of hidden layer `layer` at the plan's epoch `epochIndex`.
    public func dataset(epochIndex: Int, layer: Int) -> String {
        "/\(RunFile.snapshotsGroup)/\(groups[epochIndex])/\(names[layer] ?? RunFile.layerName(layer))"
    }

    /// Reads selected samples `positions` of hidden layer `layer` (width `width`) at epoch
    /// `epochIndex` into `buffer` (`positions.count × width` float32, row-major; other stored
    /// number types converted, as the plan's `converted` notes), and checks that every value is
    /// finite.
    public func read(epochIndex: Int, layer: Int, width: Int, positions: Range<Int>, into buffer: UnsafeMutableBufferPointer<Float>) throws {
        precondition(buffer.count == positions.count * width, "a buffer of \(buffer.count) for \(positions.count) rows of \(width)")
        let name = dataset(epochIndex: epochIndex, layer: layer)
        let file = try HDF5File.open(at: runPath, writable: false)
        defer { try? file.close() }
        for run in rows.runs(positions) {
            let offset = (run.at - positions.lowerBound) * width
            try file.root.readBlock(name, rows: run.file, columns: 0..<width,
                                    into: UnsafeMutableBufferPointer(rebasing: buffer[offset..<(offset + run.file.count * width)]), converting: true)
        }
        if let bad = buffer.firstIndex(where: { !$0.isFinite }) {
            throw InfoPlaneError("\(runPath): \(name) holds \(buffer[bad]) at sample \(positions.lowerBound + bad / width), unit \(bad % width): "
                                 + "the activations are not finite (diverged training?); retrain with a lower learning rate, or leave the snapshot out with --epochs")
        }
    }
}

extension RunEvaluation {
    /// The evaluation set of the selected samples only (inputs, and labels or targets).
    public func selecting(_ rows: SampleRows) -> RunEvaluation {
        let targets: EvaluationTargets
        switch self.targets {
        case .labels(let labels): targets = .labels(rows.select(labels, columns: 1))
        case .continuous(let values, let width): targets = .continuous(rows.select(values, columns: width), width: width)
        }
        return RunEvaluation(inputs: rows.select(inputs, columns: features), samples: rows.count, features: features, targets: targets,
                             inputsConvertedFrom: inputsConvertedFrom)
    }
}
