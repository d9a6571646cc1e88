import Foundation
import Storage
import Support

/// Projection-only storage: a snapshot may hold, instead of a layer's activations
/// (`layer_L`, n × width float32), only what the analysis takes from them — the raw
/// projections φ_jᵀt_i of slices j = 0 ..< m (`projections_L`, n × m float64: the GEMM's output
/// before standardisation, computed from the float32 activations as the analysis computes them).
/// n × m instead of n × width: at m = 1000 and 12,544 units, 80 MB instead of 502 MB per
/// snapshot-layer, and the plane is bit-identical, for the seed the projections were drawn
/// under and any number of slices up to m.
///
/// ```
/// /snapshots/epoch_NNNNNN/projections_L   float64, n × m; attributes layer, width (units), seed
/// ```
public enum StoredProjections {
    /// The dataset name of hidden layer `layer`'s projections in a snapshot group.
    public static func name(_ layer: Int) -> String { "projections_\(layer)" }

    /// What a snapshot holds of one layer stored as projections.
    public struct Layer: Sendable, Equatable {
        /// Units of the layer the projections came from.
        public var width: Int
        /// Slices stored (m).
        public var slices: Int
        /// The seed of the directions.
        public var seed: UInt64

        /// A description from its parts.
        public init(width: Int, slices: Int, seed: UInt64) {
            self.width = width
            self.slices = slices
            self.seed = seed
        }
    }

    /// One snapshot recorded as projections (`snapshots.store: projections`): every recorded
    /// layer's `samples × slices` raw projections, row-major, under one seed.
    public struct Snapshot: Sendable {
        /// Evaluation samples n (rows).
        public var samples: Int
        /// Slices m (columns).
        public var slices: Int
        /// The seed of the directions.
        public var seed: UInt64
        /// Units of each layer the projections came from.
        public var widths: [Int]
        /// Each layer's n × m projections, layer 1 first.
        public var layers: [[Double]]

        /// A snapshot from its parts.
        public init(samples: Int, slices: Int, seed: UInt64, widths: [Int], layers: [[Double]]) {
            self.samples = samples
            self.slices = slices
            self.seed = seed
            self.widths = widths
            self.layers = layers
        }
    }

    /// Writes hidden layer `layer`'s projections (`samples × slices`, row-major) into the
    /// snapshot group `group`, with the attributes an analysis checks.
    public static func write(_ group: HDF5Group, layer: Int, projections: [Double], samples: Int, slices: Int, width: Int,
                             seed: UInt64) throws {
        precondition(projections.count == samples * slices, "\(projections.count) projections are not \(samples) × \(slices)")
        // Shuffle + deflate at the activations' level: GEMM outputs are dense doubles, which
        // deflate shrinks little, so the cheapest level keeps the trainer's write short.
        try group.write(name(layer), projections, shape: [samples, slices], chunked: true, compressionLevel: RunFile.compressionLevel,
                        shuffle: true)
        let dataset = try group.dataset(name(layer))
        try dataset.setAttribute("layer", .int(Int64(layer)))
        try dataset.setAttribute("width", .int(Int64(width)))
        try dataset.setAttribute("seed", .int(Int64(bitPattern: seed)))
    }
}

extension RunFileReader {
    /// Hidden layers stored as projections in every one of `epochs` (same width, slices and
    /// seed in each), checked to have `samples` rows.
    public func projectedLayers(samples: Int, epochs: [Int]) throws -> [Int: StoredProjections.Layer] {
        let file = try HDF5File.open(at: path, writable: false)
        defer { try? file.close() }
        var common: [Int: StoredProjections.Layer]?
        for epoch in epochs {
            guard let name = snapshotGroups.first(where: { $0.epoch == epoch })?.group else { continue }
            let group = try file.root.group("\(RunFile.snapshotsGroup)/\(name)")
            var here: [Int: StoredProjections.Layer] = [:]
            for member in try group.members() where member.kind == .dataset && member.name.hasPrefix("projections_") {
                guard let layer = Int(member.name.dropFirst(12)), layer >= 1 else { continue }
                let shape = try group.datasetInfo(member.name).shape
                let dataset = try group.dataset(member.name)
                guard shape.count == 2, shape[0] == samples, let width = try dataset.intAttribute("width"),
                      let seed = try dataset.intAttribute("seed") else {
                    throw InfoPlaneError("\(path): /snapshots/\(name)/\(member.name) must be \(samples) × slices float64 with attributes width and seed (see docs/files.md)")
                }
                here[layer] = StoredProjections.Layer(width: Int(width), slices: shape[1], seed: UInt64(bitPattern: seed))
            }
            common = (common ?? here).filter { here[$0.key] == $0.value }
        }
        return common ?? [:]
    }
}

extension LayerSource {
    /// Reads the stored projections of slices `slices` of hidden layer `layer` at epoch
    /// `epochIndex`, for every selected sample: `n × slices.count` values, row-major.
    public func readProjections(epochIndex: Int, layer: Int, slices: Range<Int>) throws -> [Double] {
        let name = "/\(RunFile.snapshotsGroup)/\(groups[epochIndex])/\(StoredProjections.name(layer))"
        let file = try HDF5File.open(at: runPath, writable: false)
        defer { try? file.close() }
        var values = [Double](repeating: 0, count: rows.count * slices.count)
        try values.withUnsafeMutableBufferPointer { buffer in
            for run in rows.runs(0..<rows.count) {
                let offset = run.at * slices.count
                try file.root.readBlock(name, rows: run.file, columns: slices,
                                        into: UnsafeMutableBufferPointer(rebasing: buffer[offset..<(offset + run.file.count * slices.count)]))
            }
        }
        if let bad = values.firstIndex(where: { !$0.isFinite }) {
            throw InfoPlaneError("\(runPath): \(name) holds \(values[bad]) at sample \(bad / slices.count): the projections are not finite; record them again")
        }
        return values
    }
}
