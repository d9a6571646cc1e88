import Foundation
import Support

/// One experiment: which data, which network, how it is trained and when its hidden layers are
/// recorded. Read strictly from YAML (an unknown key is an error that names it); every field has
/// a default a user of the field would expect, so a config states only what it changes.
public struct ExperimentConfig: Sendable, Equatable {
    /// Run name; outputs go to `runs/<name>/` unless `--out` says otherwise.
    public var name: String
    /// Seed of every random stream of the run (initialisation, shuffling, generated data).
    public var seed: UInt64
    /// Copies of the network in the ensemble (`replicas: R`), trained from seeds `seed + r`
    /// on the same data; 1 (the default) is a single network.
    public var replicas: Int = 1
    /// Which copy of the ensemble this run is, `0 ..< replicas` (set per copy by `infoplane run`).
    public var replica: Int = 0
    public var dataset: DatasetSection
    public var model: ModelSection
    public var training: TrainingSection
    public var snapshots: SnapshotSection
    public var analysis: AnalysisSection
    /// The information-based stopping rule; nil (no `stopping:` section) trains every epoch.
    public var stopping: StoppingSection?

    /// The data and the evaluation set whose activations are recorded.
    public struct DatasetSection: Sendable, Equatable {
        /// `mnist`, `fashion-mnist`, `synthetic`, `tishby-12bit` or `quadratic` (regression).
        public var name: String
        /// Directory of the IDX files; `nil` means the catalog's default for `name`.
        public var path: String?
        /// `test` (default), `train`, or `all` (train then test; the default for `tishby-12bit`):
        /// the split the evaluation samples are taken from.
        public var evaluationSplit: String
        /// Number of evaluation samples (the first ones of the split).
        public var evaluationSize: Int
        /// Generated data only: input features and classes (synthetic), split sizes (synthetic, quadratic).
        public var features: Int
        public var classes: Int
        public var trainSize: Int
        public var testSize: Int
    }

    /// The network: an MLP with the given hidden widths.
    public struct ModelSection: Sendable, Equatable {
        public var hidden: [Int]
        /// `relu` or `tanh`.
        public var activation: String
        /// `he` or `glorot`; the default follows the activation (He for ReLU, Glorot for tanh).
        public var initialization: String
    }

    /// Optimisation settings.
    public struct TrainingSection: Sendable, Equatable {
        public var epochs: Int
        public var batchSize: Int
        /// `adam` or `sgd` (with momentum).
        public var optimizer: String
        public var learningRate: Double
        public var momentum: Double
        public var beta1: Double
        public var beta2: Double
        public var epsilon: Double
        /// `cross-entropy` or `mse`.
        public var loss: String
        public var weightDecay: Double
    }

    /// When hidden activations are recorded: an explicit list of epochs, or every epoch up to
    /// `denseUntil` and then log-spaced to the last epoch, about `count` in all.
    public struct SnapshotSection: Sendable, Equatable {
        public var epochs: [Int]?
        public var denseUntil: Int
        public var count: Int
    }

    /// How the information plane is estimated from the snapshots (`run`, `analyze`).
    public struct AnalysisSection: Sendable, Equatable, Codable {
        /// Number of random projections m per layer.
        public var slices: Int
        /// KSG neighbours.
        public var k: Int
        /// `ross` (mixed KSG, scikit-learn's) or `micd` (entropy difference, NPEET's) for S1(T;Y).
        public var labelEstimator: String
        /// Seed of the projection and jitter streams; defaults to the run's seed.
        public var seed: UInt64
        /// Also estimate on shuffled pairings (the value on independent data).
        public var shuffleBaseline: Bool
        /// Tie-breaking jitter in standard deviations (0 disables it).
        public var jitter: Double
    }

    public static let datasetNames = ["mnist", "fashion-mnist", "synthetic", "tishby-12bit", "quadratic"]

    /// Reads a config file, applying `overrides` (`key=value`, dotted keys) before validation.
    public static func load(path: String, overrides: [String] = []) throws -> ExperimentConfig {
        let text = try ConfigTree.text(ofFile: path, shipped: "the configs/ directory has the shipped ones")
        let stem = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        return try parse(yaml: text, source: path, defaultName: stem, overrides: overrides)
    }

    /// Parses config text; `source` names it in errors and `defaultName` is used when it has no `name`.
    public static func parse(yaml text: String, source: String, defaultName: String = "run",
                             overrides: [String] = []) throws -> ExperimentConfig {
        var tree = try ConfigTree.parse(yaml: text, source: source)
        for override in overrides {
            guard let equals = override.firstIndex(of: "=") else {
                throw InfoPlaneError("--set \(override): write it as key=value, e.g. --set training.epochs=5")
            }
            try tree.set(path: String(override[..<equals]).trimmingCharacters(in: .whitespaces),
                         valueText: String(override[override.index(after: equals)...]))
        }
        return try ExperimentConfig(tree: tree, source: source, defaultName: defaultName)
    }

    init(tree: ConfigTree, source: String, defaultName: String) throws {
        let root = try SectionReader(tree, path: "", source: source)
        name = try root.string("name", default: defaultName)
        guard !name.isEmpty, !name.contains("/"), name != ".", name != ".." else {
            throw InfoPlaneError("\(source): 'name' = '\(name)' cannot name a run directory: use letters, digits, - and _")
        }
        seed = UInt64(try root.int("seed", default: 0, in: 0...Int.max))
        replicas = try root.int("replicas", default: 1, in: 1...10_000, why: " (copies of the network in the ensemble)")
        replica = try root.int("replica", default: 0, in: 0...(replicas - 1),
                               why: " (the copy this run is; infoplane run sets it for each copy)")

        let data = try root.section("dataset")
        let datasetName = try data.choice("name", from: Self.datasetNames, default: "fashion-mnist")
        let synthetic = datasetName == "synthetic"
        // Generated data: synthetic (classes) and quadratic (regression) take split sizes.
        let generated = synthetic || datasetName == "quadratic"
        for key in ["features", "classes"] where !synthetic && data.has(key) {
            throw InfoPlaneError("\(source): 'dataset.\(key)' applies only to dataset.name: synthetic; remove it")
        }
        for key in ["train_size", "test_size"] where !generated && data.has(key) {
            throw InfoPlaneError("\(source): 'dataset.\(key)' applies only to generated datasets (synthetic, quadratic); remove it")
        }
        // Tishby's setting records every one of the 4,096 patterns.
        let tishby = datasetName == "tishby-12bit"
        dataset = DatasetSection(
            name: datasetName,
            path: try data.optionalString("path"),
            evaluationSplit: try data.choice("evaluation_split", from: ["test", "train", "all"], default: tishby ? "all" : "test"),
            evaluationSize: try data.int("evaluation_size", default: generated ? 500 : tishby ? 4_096 : 10_000, in: 2...Int.max,
                                         why: " (KSG needs more samples than neighbours)"),
            features: try data.int("features", default: 16, in: 1...100_000),
            classes: try data.int("classes", default: 4, in: 2...1_000),
            trainSize: try data.int("train_size", default: 2_000, in: 2...10_000_000),
            testSize: try data.int("test_size", default: 500, in: 2...10_000_000))
        try data.finish()

        let net = try root.section("model")
        let activation = try net.choice("activation", from: ["relu", "tanh"], default: "relu")
        model = ModelSection(
            hidden: try net.intList("hidden", in: 1...1_000_000,
                                    why: " (every hidden layer needs at least one unit)") ?? [64, 64, 64],
            activation: activation,
            initialization: try net.choice("initialization", from: ["he", "glorot"],
                                           default: activation == "relu" ? "he" : "glorot"))
        guard !model.hidden.isEmpty else {
            throw InfoPlaneError("\(source): 'model.hidden' is empty: the information plane needs at least one hidden layer, e.g. [64, 64, 64]")
        }
        try net.finish()

        let train = try root.section("training")
        let optimizer = try train.choice("optimizer", from: ["adam", "sgd"], default: "adam")
        training = TrainingSection(
            epochs: try train.int("epochs", default: 20, in: 0...1_000_000),
            batchSize: try train.int("batch_size", default: 128, in: 1...10_000_000),
            optimizer: optimizer,
            learningRate: try train.double("learning_rate", default: optimizer == "adam" ? 0.001 : 0.01,
                                           in: 0...10, openLower: true),
            momentum: try train.double("momentum", default: 0.9, in: 0...0.999999),
            beta1: try train.double("beta1", default: 0.9, in: 0...0.999999),
            beta2: try train.double("beta2", default: 0.999, in: 0...0.999999999),
            epsilon: try train.double("epsilon", default: 1e-8, in: 0...1, openLower: true),
            loss: try train.choice("loss", from: ["cross-entropy", "mse"], default: "cross-entropy"),
            weightDecay: try train.double("weight_decay", default: 0, in: 0...1))
        try train.finish()

        let snap = try root.section("snapshots")
        let explicit = try snap.intList("epochs", in: 0...1_000_000)
        if explicit != nil, snap.has("dense_until") || snap.has("count") {
            throw InfoPlaneError("\(source): give either 'snapshots.epochs' or 'snapshots.dense_until'/'count', not both")
        }
        snapshots = SnapshotSection(
            epochs: explicit,
            denseUntil: try snap.int("dense_until", default: 10, in: 0...1_000_000),
            count: try snap.int("count", default: 20, in: 1...100_000))
        if let explicit, explicit.isEmpty {
            throw InfoPlaneError("\(source): 'snapshots.epochs' is empty: list at least one epoch, e.g. [0, 1, 2, 5, 10]")
        }
        let lastEpoch = training.epochs
        if let late = explicit?.first(where: { $0 > lastEpoch }) {
            throw InfoPlaneError("\(source): snapshot epoch \(late) is after the last epoch (training.epochs = \(lastEpoch)): remove it or train longer")
        }
        try snap.finish()

        let plane = try root.section("analysis")
        analysis = AnalysisSection(
            slices: try plane.int("slices", default: 1000, in: 1...10_000_000),
            k: try plane.int("k", default: 5, in: 1...max(1, dataset.evaluationSize - 1),
                             why: " (KSG needs fewer neighbours than evaluation samples)"),
            labelEstimator: try plane.choice("label_estimator", from: ["ross", "micd"], default: "ross"),
            seed: UInt64(try plane.int("seed", default: Int(seed), in: 0...Int.max)),
            shuffleBaseline: try plane.choice("shuffle_baseline", from: ["false", "true"], default: "false") == "true",
            jitter: try plane.double("jitter", default: 1e-10, in: 0...1))
        try plane.finish()
        stopping = root.has("stopping")
            ? try StoppingSection.read(try root.section("stopping"), hiddenLayers: model.hidden.count,
                                       analysis: analysis, samples: dataset.evaluationSize)
            : nil
        if stopping != nil && replicas > 1 {
            // The pool takes every copy's activations at the same epochs; copies stop apart.
            throw InfoPlaneError("\(source): 'stopping' with replicas: \(replicas) is not supported (each copy would stop at its own epoch, and the ensemble pools the same snapshots of every copy): remove one of them")
        }
        try root.finish()
    }

    /// The effective config with every default filled in, as YAML. Stored in the run file, and
    /// compared on `--resume` so a run is never continued under different settings.
    public var canonicalText: String {
        var lines = ["name: \(name)", "seed: \(seed)"]
        if replicas > 1 { lines += ["replicas: \(replicas)", "replica: \(replica)"] }
        lines += ["dataset:", "  name: \(dataset.name)"]
        if let path = dataset.path { lines.append("  path: \(path)") }
        lines += ["  evaluation_split: \(dataset.evaluationSplit)", "  evaluation_size: \(dataset.evaluationSize)"]
        if dataset.name == "synthetic" {
            lines += ["  features: \(dataset.features)", "  classes: \(dataset.classes)",
                      "  train_size: \(dataset.trainSize)", "  test_size: \(dataset.testSize)"]
        } else if dataset.name == "quadratic" {
            lines += ["  train_size: \(dataset.trainSize)", "  test_size: \(dataset.testSize)"]
        }
        lines += ["model:", "  hidden: [\(model.hidden.map(String.init).joined(separator: ", "))]",
                  "  activation: \(model.activation)", "  initialization: \(model.initialization)",
                  "training:", "  epochs: \(training.epochs)", "  batch_size: \(training.batchSize)",
                  "  optimizer: \(training.optimizer)", "  learning_rate: \(training.learningRate)"]
        if training.optimizer == "sgd" {
            lines.append("  momentum: \(training.momentum)")
        } else {
            lines += ["  beta1: \(training.beta1)", "  beta2: \(training.beta2)", "  epsilon: \(training.epsilon)"]
        }
        lines += ["  loss: \(training.loss)", "  weight_decay: \(training.weightDecay)", "snapshots:"]
        if let epochs = snapshots.epochs {
            lines.append("  epochs: [\(epochs.map(String.init).joined(separator: ", "))]")
        } else {
            lines += ["  dense_until: \(snapshots.denseUntil)", "  count: \(snapshots.count)"]
        }
        lines += ["analysis:", "  slices: \(analysis.slices)", "  k: \(analysis.k)",
                  "  label_estimator: \(analysis.labelEstimator)", "  seed: \(analysis.seed)",
                  "  shuffle_baseline: \(analysis.shuffleBaseline)", "  jitter: \(analysis.jitter)"]
        lines += stopping?.canonicalLines ?? []
        return lines.joined(separator: "\n") + "\n"
    }

    /// Lines of `canonicalText` that differ from `other`'s, as `key: ours ≠ theirs` (for resume).
    public func differences(from other: ExperimentConfig) -> [String] {
        Self.differences(canonicalText, other.canonicalText)
    }

    /// Differences between two canonical texts, keyed by dotted path.
    public static func differences(_ a: String, _ b: String) -> [String] {
        func flatten(_ text: String) -> [(String, String)] {
            var section = ""
            return text.split(separator: "\n").compactMap { line in
                let indented = line.hasPrefix("  ")
                let parts = line.trimmingCharacters(in: .whitespaces).split(separator: ":", maxSplits: 1)
                let key = String(parts[0])
                let value = parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : ""
                if !indented && value.isEmpty { section = key; return nil }
                return (indented ? "\(section).\(key)" : key, value)
            }
        }
        let left = flatten(a), right = flatten(b)
        let rightMap = Dictionary(right, uniquingKeysWith: { x, _ in x })
        let leftMap = Dictionary(left, uniquingKeysWith: { x, _ in x })
        var result: [String] = []
        for (key, value) in left where rightMap[key] != value {
            result.append("\(key): \(value) ≠ \(rightMap[key] ?? "(unset)")")
        }
        for (key, value) in right where leftMap[key] == nil {
            result.append("\(key): (unset) ≠ \(value)")
        }
        return result
    }
}
