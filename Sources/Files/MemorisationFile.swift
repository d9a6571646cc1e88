import Config
import Estimators
import Foundation
import Storage
import Support

/// Writes `memorisation.h5` (format `infoplane-memorisation`, version 1) and its CSV, each
/// atomically: S1(T;Y) on the recorded training rows of a run trained with label noise, per layer
/// and snapshot epoch, over the rows whose label was replaced by a random class ("noisy") and the
/// others ("clean").
///
/// Root attributes: format, format_version, tool_version, run, label_noise (p), label_estimator,
/// k, slices, seed, standardize, jitter, units (nats), samples, noisy_samples, clean_samples,
/// epochs, layers. Per layer group `layer_L` (attributes `layer`, `name`, `width`), over the epochs
/// E, for each curve C of ``Curve`` (`noisy_sty_noisy`, `noisy_sty_true`, `clean_sty`): `epoch`
/// (E), `C`, `C_se` (E) and `C_values` (E × m); NaN throughout when the curve's rows are too few
/// (a run without noise has no noisy rows). On clean rows Y_noisy = Y_true, so one curve serves
/// both.
public enum MemorisationFile {
    /// The file's format (``FileFormat/memorisation``).
    public static let format = FileFormat.memorisation

    /// The measured curves: a row subset and the labels S1(T;Y) is taken against.
    public enum Curve: String, Sendable, Codable, CaseIterable {
        /// Rows whose label was replaced, against the labels training saw: memorisation (0 without
        /// it, as a random label is independent of the input).
        case noisyNoisy = "noisy_sty_noisy"
        /// Rows whose label was replaced, against their true labels: generalisation despite the noise.
        case noisyTrue = "noisy_sty_true"
        /// Rows with their own label (Y_noisy = Y_true there).
        case clean = "clean_sty"

        /// Whether the curve is over the noisy rows.
        public var noisyRows: Bool { self != .clean }
        /// Whether it is against the labels training saw.
        public var noisyLabels: Bool { self == .noisyNoisy }
    }

    /// What the root attributes record, and the rows and labels measured.
    public struct Header: Codable, Sendable {
        /// The run file measured.
        public var runPath: String
        /// p of `dataset.label_noise` (0 without).
        public var fraction: Double
        /// Slices, k, label estimator, seed and jitter.
        public var settings: AnalysisSettings
        /// Snapshot epochs measured, ascending.
        public var epochs: [Int]
        /// Stream keys of the layers measured (``RecordedLayer/layer``).
        public var layers: [Int]
        /// Their dataset names.
        public var names: [String]
        /// Their widths.
        public var widths: [Int]
        /// Recorded rows that are training samples (the first ones of the evaluation set).
        public var samples: Int
        /// Rows (indices into the evaluation set) whose label was replaced, ascending.
        public var noisyRows: [Int]
        /// The other training rows, ascending.
        public var cleanRows: [Int]
        /// Per training row, the label training saw.
        public var noisyLabels: [Int32]
        /// Per training row, the dataset's label.
        public var trueLabels: [Int32]

        /// A header from its parts.
        public init(runPath: String, fraction: Double, settings: AnalysisSettings, epochs: [Int], layers: [RecordedLayer], samples: Int,
                    noisyRows: [Int], cleanRows: [Int], noisyLabels: [Int32], trueLabels: [Int32]) {
            self.runPath = runPath
            self.fraction = fraction
            self.settings = settings
            self.epochs = epochs
            self.layers = layers.map(\.layer)
            self.names = layers.map(\.name)
            self.widths = layers.map(\.width)
            self.samples = samples
            self.noisyRows = noisyRows
            self.cleanRows = cleanRows
            self.noisyLabels = noisyLabels
            self.trueLabels = trueLabels
        }

        /// The rows of `curve`.
        public func rows(_ curve: Curve) -> [Int] { curve.noisyRows ? noisyRows : cleanRows }

        /// The labels of `curve`'s rows it is measured against.
        public func labels(_ curve: Curve) -> [Int32] {
            let all = curve.noisyLabels ? noisyLabels : trueLabels
            return rows(curve).map { all[$0] }
        }
    }

    /// The CSV beside `path` (same stem).
    public static func csvPath(for path: String) -> String { RunDirectory.sibling(of: path, ".csv") }

    /// Writes both files. `results[e][l][c]` is curve `Curve.allCases[c]` of layer `header.layers[l]`
    /// at epoch `header.epochs[e]`; nil where it was not measured.
    public static func write(_ results: [[[SlicedEstimate?]]], header: Header, to outPath: String, overwrite: Bool) throws {
        let m = header.settings.slices
        let missing = SlicedEstimate(values: [Double](repeating: .nan, count: m))
        try writeAtomically(to: outPath, overwrite: overwrite, inMemory: true) { file in
            let root = file.root
            for (name, value) in attributes(header) { try root.setAttribute(name, value) }
            let count = header.epochs.count
            for (l, layer) in header.layers.enumerated() {
                let group = try root.createGroup("layer_\(layer)")
                try group.setAttribute("layer", .int(Int64(layer)))
                try group.setAttribute("name", .string(header.names[l]))
                try group.setAttribute("width", .int(Int64(header.widths[l])))
                try group.write("epoch", header.epochs.map { Int64($0) }, shape: [count])
                for (c, curve) in Curve.allCases.enumerated() {
                    let estimates = results.map { $0[l][c] ?? missing }
                    try group.write(curve.rawValue, estimates.map(\.mean), shape: [count])
                    try group.write(curve.rawValue + "_se", estimates.map(\.standardError), shape: [count])
                    try group.write(curve.rawValue + "_values", estimates.flatMap(\.values), shape: [count, m])
                }
            }
        }
        try writeCSV(results, header: header, to: csvPath(for: outPath))
    }

    private static func attributes(_ header: Header) -> [(String, AttributeValue)] {
        let s = header.settings
        return format.attributes + [
            ("tool_version", .string(InfoPlaneVersion.string)), ("run", .string(header.runPath)), ("label_noise", .double(header.fraction)),
            ("label_estimator", .string(s.labelEstimator.rawValue)), ("k", .int(Int64(s.k))), ("slices", .int(Int64(s.slices))),
            ("seed", .int(Int64(bitPattern: s.seed))), ("standardize", .int(1)), ("jitter", .double(s.jitter)), ("units", .string("nats")),
            ("samples", .int(Int64(header.samples))), ("noisy_samples", .int(Int64(header.noisyRows.count))),
            ("clean_samples", .int(Int64(header.cleanRows.count))),
            ("epochs", .ints(header.epochs.map { Int64($0) })), ("layers", .ints(header.layers.map { Int64($0) })),
        ]
    }

    /// The CSV's columns, one row per (layer, epoch).
    public static let csvHeader = "layer,epoch,width," + Curve.allCases.map { "\($0.rawValue),\($0.rawValue)_se" }.joined(separator: ",")

    private static func writeCSV(_ results: [[[SlicedEstimate?]]], header: Header, to path: String) throws {
        var lines = [csvHeader]
        for (l, layer) in header.layers.enumerated() {
            for (e, epoch) in header.epochs.enumerated() {
                let fields = results[e][l].flatMap { estimate in [estimate?.mean ?? .nan, estimate?.standardError ?? .nan] }
                lines.append((["\(layer)", "\(epoch)", "\(header.widths[l])"] + fields.map { "\($0)" }).joined(separator: ","))
            }
        }
        try writeTextAtomically(lines.joined(separator: "\n") + "\n", to: path, hint: "check that the output directory is writable")
    }
}
