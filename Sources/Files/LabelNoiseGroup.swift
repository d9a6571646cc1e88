import Learning
import Storage
import Support

/// `/label_noise` of a run trained with `dataset.label_noise: p` (→ `parts/label-noise.h5:/`,
/// written once before the first index): the training labels as training saw them, the
/// dataset's own, and which were replaced, one entry per training sample in the training split's
/// order (the first `dataset.train_size` samples when it is set).
///
/// ```
/// /label_noise           attributes fraction (p), seed, samples (n_train), replaced (round(p·n_train))
/// /label_noise/noisy_labels   n_train int64: the labels training saw
/// /label_noise/true_labels    n_train int64: the dataset's labels
/// /label_noise/changed        n_train uint8: 1 where the label was replaced by a uniformly random
///                             class (about 1/K of those equal the true one by chance)
/// ```
/// With `dataset.evaluation_split: train` (or `all`), evaluation row i is training sample i, so
/// these say which recorded rows carry a random label; `/evaluation/labels` holds the true ones.
public enum LabelNoiseGroup {
    /// The group's name in run.h5.
    public static let name = "label_noise"
    /// Its part, beside the other parts.
    static let part = "parts/label-noise.h5"

    /// Writes the draw into `root` (the part's root).
    static func write(_ root: HDF5Group, _ noise: NoisyLabels) throws {
        let n = noise.noisy.count
        try root.setAttribute("fraction", .double(noise.fraction))
        try root.setAttribute("seed", .int(Int64(bitPattern: noise.seed)))
        try root.setAttribute("samples", .int(Int64(n)))
        try root.setAttribute("replaced", .int(Int64(noise.replacedCount)))
        try root.write("noisy_labels", noise.noisy.map { Int64($0) }, shape: [n])
        try root.write("true_labels", noise.original.map { Int64($0) }, shape: [n])
        try root.write("changed", noise.changed.map { UInt8($0 ? 1 : 0) }, shape: [n])
    }

    /// What the group holds, as read back.
    public struct Record: Sendable, Equatable {
        /// The labels training saw, per training sample.
        public var noisy: [Int32]
        /// The dataset's labels.
        public var original: [Int32]
        /// Whether each label was replaced.
        public var changed: [Bool]
        /// p.
        public var fraction: Double
        /// The seed of the draw.
        public var seed: UInt64

        /// A record from its parts.
        public init(noisy: [Int32], original: [Int32], changed: [Bool], fraction: Double, seed: UInt64) {
            self.noisy = noisy
            self.original = original
            self.changed = changed
            self.fraction = fraction
            self.seed = seed
        }
    }

    /// `inspect`'s line for the group.
    static func summaryLine(_ group: HDF5Group) throws -> String {
        let p = try group.doubleAttribute("fraction") ?? .nan
        return "  labels:     p = \(p) label noise: \(try group.intAttribute("replaced") ?? 0) of \(try group.intAttribute("samples") ?? 0) training labels replaced by random classes (/label_noise)"
    }

    /// The draw recorded in the run file at `path`; nil when the run has no label noise.
    public static func read(runPath path: String) throws -> Record? {
        let file = try HDF5File.open(at: path, writable: false)
        defer { try? file.close() }
        guard file.root.contains(name) else { return nil }
        let group = try file.root.group(name)
        let noisy = try group.read("noisy_labels", as: Int64.self).values
        let original = try group.read("true_labels", as: Int64.self).values
        let changed = try group.read("changed", as: UInt8.self).values
        guard noisy.count == original.count, changed.count == noisy.count,
              zip(zip(noisy, original), changed).allSatisfy({ $0.0 == $0.1 || $1 != 0 }) else {
            throw InfoPlaneError("\(path): /\(name) has datasets of different lengths, or a label differs where 'changed' is 0: the run file is damaged; retrain it")
        }
        return Record(noisy: noisy.map { Int32($0) }, original: original.map { Int32($0) }, changed: changed.map { $0 != 0 },
                           fraction: try group.doubleAttribute("fraction") ?? 0,
                           seed: UInt64(bitPattern: try group.intAttribute("seed") ?? 0))
    }
}
