import Support

extension ExperimentConfig {
    /// The data and the evaluation set whose activations are recorded.
    public struct DatasetSection: Sendable, Equatable, Codable {
        /// The catalog's datasets.
        public enum Name: String, Sendable, CaseIterable, Codable {
            case mnist
            case fashionMNIST = "fashion-mnist"
            /// Gaussian classes generated from the seed (features, classes, split sizes).
            case synthetic
            /// Tishby's 12-bit task: all 4,096 patterns.
            case tishby12bit = "tishby-12bit"
            /// A generated regression task (split sizes).
            case quadratic

            /// Whether the data is generated from the seed (and takes split sizes).
            public var isGenerated: Bool { self == .synthetic || self == .quadratic }
        }

        /// The split the evaluation samples are taken from.
        public enum EvaluationSplit: String, Sendable, CaseIterable, Codable {
            case test, train
            /// The training split followed by the test split.
            case all
        }

        /// Which dataset.
        public var name: Name
        /// Directory of the IDX files; `nil` means the catalog's default for `name`.
        public var path: String?
        /// `test` (default), `train`, or `all` (the default for `tishby-12bit`).
        public var evaluationSplit: EvaluationSplit
        /// Number of evaluation samples (the first ones of the split).
        public var evaluationSize: Int
        /// Synthetic data only: input features.
        public var features: Int
        /// Synthetic data only: classes.
        public var classes: Int
        /// Generated data only (synthetic, quadratic): training samples.
        public var trainSize: Int
        /// Generated data only (synthetic, quadratic): test samples.
        public var testSize: Int
        /// The catalog's datasets: train on the first this many training samples (nil: all).
        public var trainLimit: Int?
        /// The fraction p of training labels replaced by random other classes (0: none); the
        /// draw is `NoisyLabels` (Learning) from the config's seed.
        public var labelNoise: Double

        init(_ data: SectionReader) throws {
            name = try data.choice("name", default: .fashionMNIST)
            for key in ["features", "classes"] where name != .synthetic && data.has(key) {
                throw InfoPlaneError("\(data.source): 'dataset.\(key)' applies only to dataset.name: synthetic; remove it")
            }
            if !name.isGenerated && data.has("test_size") {
                throw InfoPlaneError("\(data.source): 'dataset.test_size' applies only to generated datasets (synthetic, quadratic); remove it")
            }
            // Tishby's setting records every one of the 4,096 patterns.
            let tishby = name == .tishby12bit
            path = try data.optionalString("path")
            evaluationSplit = try data.choice("evaluation_split", default: tishby ? .all : .test)
            evaluationSize = try data.int("evaluation_size", default: name.isGenerated ? 500 : tishby ? 4_096 : 10_000,
                                          in: 2...Int.max, why: " (KSG needs more samples than neighbours)")
            features = try data.int("features", default: 16, in: 1...100_000)
            classes = try data.int("classes", default: 4, in: 2...1_000)
            trainSize = try data.int("train_size", default: 2_000, in: 2...10_000_000)
            testSize = try data.int("test_size", default: 500, in: 2...10_000_000)
            trainLimit = name.isGenerated ? nil : try data.optionalInt("train_size", in: 2...10_000_000)
            labelNoise = try data.double("label_noise", default: 0, in: 0...1)
            if labelNoise == 1 {
                throw InfoPlaneError("\(data.source): 'dataset.label_noise' = 1 would replace every label: use a fraction p with 0 ≤ p < 1")
            }
            if labelNoise > 0 && name == .quadratic {
                throw InfoPlaneError("\(data.source): 'dataset.label_noise' applies only to class labels, and quadratic is a regression task; remove it")
            }
            try data.finish()
        }

        /// The section in ``ExperimentConfig/canonicalText``.
        var canonicalLines: [String] {
            var lines = ["dataset:", "  name: \(name.rawValue)"]
            if let path { lines.append("  path: \(path)") }
            lines += ["  evaluation_split: \(evaluationSplit.rawValue)", "  evaluation_size: \(evaluationSize)"]
            if name == .synthetic { lines += ["  features: \(features)", "  classes: \(classes)"] }
            if name.isGenerated { lines += ["  train_size: \(trainSize)", "  test_size: \(testSize)"] }
            if let trainLimit { lines.append("  train_size: \(trainLimit)") }
            // Only when set, so runs without noise keep their canonical text (and digests).
            if labelNoise > 0 { lines.append("  label_noise: \(labelNoise)") }
            return lines
        }
    }
}
