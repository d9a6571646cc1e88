import Config
import Estimators
import Foundation
import Storage
import Support

/// Writes `redundancy.h5` (format `infoplane-redundancy`, version 1) and its CSV, each
/// atomically: a reader sees the complete old file, the complete new one, or none.
///
/// Per layer group `layer_L` (attributes `layer`, `width`, `half_a_width`), over the epochs E:
/// `epoch` (E), `unit_information` (E × w), `unit_sum`, `sty`/`sty_se`/`sty_values` (E × m),
/// `redundancy_ratio`, `half_a`/`half_a_se`/`half_a_values`, `half_b`/…, `mmi`/`mmi_se`, `mmi_ratio`.
public enum RedundancyFile {
    /// The file's format (``FileFormat/redundancy``).
    public static let format = FileFormat.redundancy

    /// What the root attributes record, and the layers and epochs of the results.
    public struct Header: Codable, Sendable {
        /// The run file measured.
        public var runPath: String
        /// Slices, k, label estimator, seed and jitter.
        public var settings: AnalysisSettings
        /// Snapshot epochs measured, ascending.
        public var epochs: [Int]
        /// Hidden layers measured, ascending, 1-based.
        public var layers: [Int]
        /// Their widths.
        public var widths: [Int]
        /// Evaluation samples n.
        public var samples: Int
        /// H(Y) of the evaluation labels (plug-in, nats): no I(T;Y) can exceed it, so a unit sum
        /// above it proves the units repeat label information.
        public var labelEntropy: Double

        /// A header from its parts.
        public init(runPath: String, settings: AnalysisSettings, epochs: [Int], layers: [Int], widths: [Int], samples: Int,
                    labelEntropy: Double) {
            self.runPath = runPath
            self.settings = settings
            self.epochs = epochs
            self.layers = layers
            self.widths = widths
            self.samples = samples
            self.labelEntropy = labelEntropy
        }
    }

    /// The CSV beside `path` (same stem).
    public static func csvPath(for path: String) -> String { RunDirectory.sibling(of: path, ".csv") }

    /// Writes both files. `results[e][l]` is layer `header.layers[l]` at epoch `header.epochs[e]`.
    public static func write(_ results: [[LabelRedundancy]], header plan: Header, to outPath: String, overwrite: Bool) throws {
        try writeAtomically(to: outPath, overwrite: overwrite, inMemory: true) { file in
            let root = file.root
            let s = plan.settings
            let attributes: [(String, AttributeValue)] = format.attributes + [
                ("tool_version", .string(InfoPlaneVersion.string)), ("run", .string(plan.runPath)),
                ("label_estimator", .string(s.labelEstimator.rawValue)), ("k", .int(Int64(s.k))), ("slices", .int(Int64(s.slices))),
                ("seed", .int(Int64(bitPattern: s.seed))), ("standardize", .int(1)), ("jitter", .double(s.jitter)),
                ("units", .string("nats")), ("samples", .int(Int64(plan.samples))), ("label_entropy", .double(plan.labelEntropy)),
                ("epochs", .ints(plan.epochs.map { Int64($0) })), ("layers", .ints(plan.layers.map { Int64($0) })),
            ]
            for (name, value) in attributes { try root.setAttribute(name, value) }
            let count = plan.epochs.count, m = s.slices
            for (l, layer) in plan.layers.enumerated() {
                let width = plan.widths[l]
                let rows = results.map { $0[l] }
                let group = try root.createGroup("layer_\(layer)")
                try group.setAttribute("layer", .int(Int64(layer)))
                try group.setAttribute("width", .int(Int64(width)))
                try group.setAttribute("half_a_width", .int(Int64(LabelRedundancy.halfAWidth(width))))
                try group.write("epoch", plan.epochs.map { Int64($0) }, shape: [count])
                try group.write("unit_information", rows.flatMap(\.units), shape: [count, width])
                try group.write("unit_sum", rows.map(\.unitSum), shape: [count])
                try group.write("redundancy_ratio", rows.map(\.ratio), shape: [count])
                for (name, estimates) in [("sty", rows.map(\.joint)), ("half_a", rows.map(\.halfA)), ("half_b", rows.map(\.halfB))] {
                    try group.write(name, estimates.map(\.mean), shape: [count])
                    try group.write(name + "_se", estimates.map(\.standardError), shape: [count])
                    try group.write(name + "_values", estimates.flatMap(\.values), shape: [count, m])
                }
                try group.write("mmi", rows.map(\.minimum.mean), shape: [count])
                try group.write("mmi_se", rows.map(\.minimum.standardError), shape: [count])
                try group.write("mmi_ratio", rows.map(\.minimumRatio), shape: [count])
            }
        }
        try writeCSV(results, plan: plan, to: csvPath(for: outPath))
    }

    /// The CSV's columns, one row per (layer, epoch).
    public static let csvHeader = "layer,epoch,width,unit_sum,sty,sty_se,redundancy_ratio,half_a,half_a_se,half_b,half_b_se,mmi,mmi_se,mmi_ratio"

    private static func writeCSV(_ results: [[LabelRedundancy]], plan: Header, to path: String) throws {
        var lines = [csvHeader]
        for (l, layer) in plan.layers.enumerated() {
            for (e, epoch) in plan.epochs.enumerated() {
                let r = results[e][l]
                let fields: [Double] = [r.unitSum, r.joint.mean, r.joint.standardError, r.ratio, r.halfA.mean, r.halfA.standardError,
                                        r.halfB.mean, r.halfB.standardError, r.minimum.mean, r.minimum.standardError, r.minimumRatio]
                lines.append((["\(layer)", "\(epoch)", "\(plan.widths[l])"] + fields.map { "\($0)" }).joined(separator: ","))
            }
        }
        try writeTextAtomically(lines.joined(separator: "\n") + "\n", to: path, hint: "check that the output directory is writable")
    }
}
