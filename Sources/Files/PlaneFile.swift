import Foundation
import Storage
import Support

/// The schema of `plane.h5` (documented in docs/, "Files"), written for the sliced plane and,
/// in the same layout, for the classic binning and KDE planes:
///
/// ```
/// /                 attributes: format, format_version, tool_version, run, estimator, … (the
///                   sliced plane's in ``PlaneFile/SlicedHeader``, the classic planes' in
///                   ``PlaneFile/ClassicHeader``), epochs_planned, layers, complete
/// /layer_L/epoch            E int64: the completed snapshot epochs, ascending
/// /layer_L/sxt, sxt_se      E float64: S1(X;T) mean over slices and its standard error
/// /layer_L/sty, sty_se      E float64: S1(T;Y)
/// /layer_L/sxt_values       E × m float64: per projection (likewise sty_values)
/// /layer_L/sxt_baseline…    the same on shuffled pairings, when shuffle_baseline = 1
/// ```
/// `plane.csv` beside it holds `layer,epoch,<name>,<name>_se,…`, one row per layer and epoch.
public enum PlaneFile {
    /// The file's format (``FileFormat/plane``).
    public static let format = FileFormat.plane

    /// One quantity of one layer (`sxt`, `sty`, …): per epoch a mean, its standard error, and the
    /// per-projection values (epochs × `slices`, row-major).
    public struct Column: Sendable {
        /// The dataset name (``PlaneQuantity/name``).
        public var name: String
        /// Mean per epoch.
        public var means: [Double]
        /// Standard error per epoch (NaN for one unsliced value).
        public var standardErrors: [Double]
        /// Per-projection values, epochs × `slices`.
        public var values: [Double]
        /// Values per epoch.
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
        /// The hidden layer, 1-based.
        public var layer: Int
        /// Its width.
        public var width: Int
        /// Completed epochs, ascending.
        public var epochs: [Int]
        /// One column per quantity.
        public var columns: [Column]

        /// A layer's table from its parts.
        public init(layer: Int, width: Int, epochs: [Int], columns: [Column]) {
            self.layer = layer
            self.width = width
            self.epochs = epochs
            self.columns = columns
        }
    }

    /// The CSV twin of the plane file at `path` (same stem).
    public static func csvPath(for path: String) -> String { RunDirectory.sibling(of: path, ".csv") }

    /// Writes the sliced plane and its CSV, each atomically.
    public static func write(to path: String, header: SlicedHeader, complete: Bool, layers: [LayerTable]) throws {
        try write(to: path, attributes: header.attributes(complete: complete), layers: layers)
    }

    /// Writes a classic plane and its CSV, each atomically.
    public static func write(to path: String, header: ClassicHeader, layers: [LayerTable]) throws {
        try write(to: path, attributes: header.attributes, layers: layers)
    }

    /// The root `attributes` (after `format` and `format_version`), then
    /// `/layer_L/{epoch, <name>, <name>_se, <name>_values}` per layer; then the CSV.
    private static func write(to path: String, attributes: [(String, AttributeValue)], layers: [LayerTable]) throws {
        try writeAtomically(to: path, overwrite: true, inMemory: true) { file in
            let root = file.root
            for (name, value) in format.attributes + attributes { try root.setAttribute(name, value) }
            for table in layers {
                let group = try root.createGroup(layerGroup(table.layer))
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
        try writeCSV(to: csvPath(for: path), layers: layers)
    }

    /// Writes the CSV twin atomically: `layer,epoch,<name>,<name>_se,…`, one row per layer and
    /// epoch, values in shortest round-trip form.
    private static func writeCSV(to path: String, layers: [LayerTable]) throws {
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

    static func layerGroup(_ layer: Int) -> String { "layer_\(layer)" }
}
