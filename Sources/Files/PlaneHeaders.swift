import Config
import Storage
import Support

extension PlaneFile {
    /// The root attributes of a sliced plane (`plane.h5`): the settings, what Y is, the plan and
    /// its identity (which `--resume` compares).
    public struct SlicedHeader: Sendable {
        /// The run file measured.
        public var run: String
        /// Slices, k, label estimator, seed, jitter, baseline.
        public var settings: AnalysisSettings
        /// Columns of the continuous targets (regression); 0 for class labels.
        public var targetWidth: Int
        /// Evaluation samples n.
        public var samples: Int
        /// The plan's snapshot epochs and hidden layers.
        public var epochs: [Int]
        /// The plan's hidden layers, 1-based.
        public var layers: [Int]
        /// The plan's identity lines.
        public var identity: [String]
        /// Datasets of the run file converted to float32 on read ("layer_1 float64→float32"),
        /// written as the attribute `converted` when there are any.
        public var converted: [String] = []
        /// `analyze --pool-epochs W`: the window W and how rows were pooled, written as the
        /// attributes `pool_epochs` and `pooling`; nil for a single-epoch plane.
        public var poolEpochs: (window: Int, pooling: String)?

        /// A header from its parts.
        public init(run: String, settings: AnalysisSettings, targetWidth: Int, samples: Int, epochs: [Int], layers: [Int],
                    identity: [String]) {
            self.run = run
            self.settings = settings
            self.targetWidth = targetWidth
            self.samples = samples
            self.epochs = epochs
            self.layers = layers
            self.identity = identity
        }

        func attributes(complete: Bool) -> [(String, AttributeValue)] {
            let s = settings
            return [
                ("tool_version", .string(InfoPlaneVersion.string)), ("run", .string(run)),
                ("estimator", .string(s.sliceEstimator.rawValue)), ("label_estimator", .string(s.labelEstimator.rawValue)),
                // What Y is, and what estimated S1(T;Y): Ross/micd for labels, KSG for real targets.
                ("target", .string(targetWidth > 0 ? "continuous" : "labels")),
                ("target_width", .int(Int64(targetWidth))),
                ("target_estimator", .string(targetWidth > 0 ? s.sliceEstimator.rawValue : s.labelEstimator.rawValue)),
                ("k", .int(Int64(s.k))), ("slices", .int(Int64(s.slices))), ("seed", .int(Int64(bitPattern: s.seed))),
                ("standardize", .int(1)), ("jitter", .double(s.jitter)), ("shuffle_baseline", .int(s.shuffleBaseline ? 1 : 0)),
                ("units", .string("nats")), ("samples", .int(Int64(samples))),
                ("epochs_planned", .ints(epochs.map { Int64($0) })), ("layers", .ints(layers.map { Int64($0) })),
                ("complete", .int(complete ? 1 : 0)), ("identity", .string(identity.joined(separator: "\n"))),
            ] + PlaneFile.conversionAttributes(converted)
                + (poolEpochs.map { [("pool_epochs", .int(Int64($0.window))), ("pooling", .string($0.pooling))] } ?? [])
        }
    }

    /// The full-layer estimator of a classic plane and its settings.
    public enum ClassicEstimator: Sendable {
        /// Equal-width binning: bins per unit, the run's activation, and each layer's range.
        case binning(bins: Int, activation: String?, ranges: [(name: String, range: ClosedRange<Double>)])
        /// The KDE upper bound with Gaussian noise of this variance.
        case kde(noiseVariance: Double)
        /// Full KSG (k neighbours, jitter seed) between X's and T's top principal components.
        case pca(components: Int, k: Int, seed: UInt64)
    }

    /// The root attributes of a classic plane (`plane-binning.h5`, `plane-kde.h5`).
    public struct ClassicHeader: Sendable {
        /// The run file measured.
        public var run: String
        /// Which estimator, with its settings.
        public var estimator: ClassicEstimator
        /// Evaluation samples n.
        public var samples: Int
        /// Snapshot epochs measured.
        public var epochs: [Int]
        /// Hidden layers measured, 1-based.
        public var layers: [Int]
        /// Datasets converted to float32 on read, as in ``SlicedHeader/converted``.
        public var converted: [String] = []

        /// A header from its parts.
        public init(run: String, estimator: ClassicEstimator, samples: Int, epochs: [Int], layers: [Int]) {
            self.run = run
            self.estimator = estimator
            self.samples = samples
            self.epochs = epochs
            self.layers = layers
        }

        var attributes: [(String, AttributeValue)] {
            let name: String
            switch estimator {
            case .binning: name = "binning"
            case .kde: name = "kde"
            case .pca: name = "pca"
            }
            return [
                ("tool_version", .string(InfoPlaneVersion.string)), ("run", .string(run)),
                ("estimator", .string(name)), ("slices", .int(1)), ("units", .string("nats")), ("samples", .int(Int64(samples))),
                ("epochs_planned", .ints(epochs.map { Int64($0) })), ("layers", .ints(layers.map { Int64($0) })),
                ("complete", .int(1)),
            ] + estimatorAttributes + PlaneFile.conversionAttributes(converted)
        }

        private var estimatorAttributes: [(String, AttributeValue)] {
            switch estimator {
            case .binning(let bins, let activation, let ranges):
                return [("bins", .int(Int64(bins))), ("activation", .string(activation ?? "unknown")),
                        ("quantities", .string("sxt = I(X;T) = H(T) - H(T|X), sty = I(T;Y) = H(T) - H(T|Y), plug-in entropies of the binned layer"))]
                    + ranges.map { ("range_\($0.name)", .doubles([$0.range.lowerBound, $0.range.upperBound])) }
            case .kde(let variance):
                return [("noise_variance", .double(variance)),
                        ("quantities", .string("sxt = H_upper(T+noise) - H(noise) >= I(X;T+noise), sty = H_upper(T+noise) - sum_y p(y) H_upper(T+noise|y)"))]
            case .pca(let components, let k, let seed):
                return [("components", .int(Int64(components))), ("k", .int(Int64(k))), ("seed", .int(Int64(bitPattern: seed))),
                        ("label_estimator", .string("ross")), ("jitter", .double(1e-10)),
                        ("quantities", .string("sxt = KSG I(PCA_P(X); PCA_P(T)), sty = Ross I(PCA_P(T); Y); each side on its own top-P principal components, standardised"))]
            }
        }
    }

    /// `converted` (one entry per dataset of the run file converted on read), or nothing.
    static func conversionAttributes(_ converted: [String]) -> [(String, AttributeValue)] {
        converted.isEmpty ? [] : [("converted", .strings(converted))]
    }
}
