import Foundation
import Storage

/// The schema of `plane.h5` (documented in README, "Files"):
///
/// ```
/// /                 attributes: format, format_version, tool_version, run, estimator,
///                   label_estimator, target (labels | continuous), target_width,
///                   target_estimator, k, slices, seed, standardize, jitter, shuffle_baseline,
///                   units, samples, epochs_planned, layers, complete, identity
/// /layer_L/epoch            E int64: the completed snapshot epochs, ascending
/// /layer_L/sxt, sxt_se      E float64: S1(X;T) mean over slices and its standard error
/// /layer_L/sty, sty_se      E float64: S1(T;Y)
/// /layer_L/sxt_values       E × m float64: per projection (likewise sty_values)
/// /layer_L/sxt_baseline…    the same on shuffled pairings, when shuffle_baseline = 1
/// ```
public enum PlaneFile {
    public static let format = "infoplane-plane"
    public static let formatVersion: Int64 = 1

    /// The items of `plan` whose values a plane file holds (every block of its stored epochs).
    static func items(in file: HDF5File, plan: AnalysisPlan) throws -> [(Int, [Double])] {
        let names = ["sxt", "sty", "sxt_baseline", "sty_baseline"].prefix(plan.settings.quantities)
        let m = plan.settings.slices
        var result: [(Int, [Double])] = []
        for (l, layer) in plan.layers.enumerated() {
            let group = try file.root.group("layer_\(layer)")
            let epochs = try group.read("epoch", as: Int64.self).values
            let columns = try names.map { try group.read($0 + "_values", as: Double.self).values }
            for (row, epoch) in epochs.enumerated() {
                guard let e = plan.epochs.firstIndex(of: Int(epoch)) else { continue }
                for block in 0..<plan.blocksPerLayer {
                    let slices = plan.slices(ofBlock: block)
                    var values: [Double] = []
                    for column in columns {
                        guard column.count >= (row + 1) * m else {
                            throw StorageError(.shapeMismatch, "\(file.path): layer_\(layer) values are shorter than its epochs: the file is damaged; use --force")
                        }
                        values += slices.map { column[row * m + $0] }
                    }
                    result.append((plan.index(of: WorkItem(epochIndex: e, layerIndex: l, block: block)), values))
                }
            }
        }
        return result
    }
}

// MARK: - Writing

extension PlaneFile {
    /// One quantity of one layer (`sxt`, `sty`, …): per epoch a mean, its standard error, and the
    /// per-projection values (epochs × `slices`, row-major).
    public struct Column: Sendable {
        public var name: String
        public var means: [Double]
        public var standardErrors: [Double]
        public var values: [Double]
        public var slices: Int

        /// A column from its parts (`values` holds `slices` per epoch).
        public init(name: String, means: [Double], standardErrors: [Double], values: [Double], slices: Int) {
            self.name = name
            self.means = means
            self.standardErrors = standardErrors
            self.values = values
            self.slices = slices
        }
    }

    /// What `/layer_L` holds: its epochs and one column per quantity.
    public struct LayerTable: Sendable {
        public var layer: Int
        public var width: Int
        public var epochs: [Int]
        public var columns: [Column]

        /// A layer's table from its parts.
        public init(layer: Int, width: Int, epochs: [Int], columns: [Column]) {
            self.layer = layer
            self.width = width
            self.epochs = epochs
            self.columns = columns
        }
    }

    /// Writes a whole plane file atomically: the root `attributes` (after `format` and
    /// `format_version`), then `/layer_L/{epoch, <name>, <name>_se, <name>_values}` per layer.
    public static func write(to path: String, attributes: [(String, AttributeValue)], layers: [LayerTable]) throws {
        try writeAtomically(to: path, overwrite: true) { file in
            let root = file.root
            try root.setAttribute("format", .string(format))
            try root.setAttribute("format_version", .int(formatVersion))
            for (name, value) in attributes { try root.setAttribute(name, value) }
            for table in layers {
                let group = try root.createGroup("layer_\(table.layer)")
                try group.setAttribute("layer", .int(Int64(table.layer)))
                try group.setAttribute("width", .int(Int64(table.width)))
                let count = table.epochs.count
                try group.write("epoch", table.epochs.map { Int64($0) }, shape: [count])
                for column in table.columns {
                    try group.write(column.name, column.means, shape: [count])
                    try group.write(column.name + "_se", column.standardErrors, shape: [count])
                    try group.write(column.name + "_values", column.values, shape: [count, column.slices])
                }
            }
        }
    }

    /// Writes the CSV twin atomically: `layer,epoch,<name>,<name>_se,…`, one row per layer and
    /// epoch, values in shortest round-trip form.
    public static func writeCSV(to path: String, layers: [LayerTable]) throws {
        var header = ["layer", "epoch"]
        for column in layers.first?.columns ?? [] { header += [column.name, column.name + "_se"] }
        var lines = [header.joined(separator: ",")]
        for table in layers {
            for (row, epoch) in table.epochs.enumerated() {
                var fields = ["\(table.layer)", "\(epoch)"]
                for column in table.columns { fields += ["\(column.means[row])", "\(column.standardErrors[row])"] }
                lines.append(fields.joined(separator: ","))
            }
        }
        try writeTextAtomically(lines.joined(separator: "\n") + "\n", to: path, hint: "check that the output directory is writable")
    }
}
