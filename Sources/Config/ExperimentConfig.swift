import Foundation
import Support

/// One experiment: which data, which network, how it is trained and when its hidden layers are
/// recorded. Read strictly from YAML (an unknown key is an error that names it); every field has
/// a default a user of the field would expect, so a config states only what it changes.
///
/// The sections live in files of their own (DatasetSection.swift, …); each reads its keys and
/// writes its lines of ``canonicalText``. The config is `Codable` so rank 0 can hand the parsed
/// config to the other ranks.
public struct ExperimentConfig: Sendable, Equatable, Codable {
    /// Run name; outputs go to `runs/<name>/` unless `--out` says otherwise.
    public var name: String
    /// Seed of every random stream of the run (initialisation, shuffling, generated data).
    public var seed: UInt64
    /// Copies of the network in the ensemble (`replicas: R`), trained from seeds `seed + r`
    /// on the same data; 1 (the default) is a single network.
    public var replicas: Int = 1
    /// Which copy of the ensemble this run is, `0 ..< replicas` (set per copy by `infoplane run`).
    public var replica: Int = 0
    /// The data and the evaluation set.
    public var dataset: DatasetSection
    /// The network.
    public var model: ModelSection
    /// Optimisation.
    public var training: TrainingSection
    /// When hidden activations are recorded.
    public var snapshots: SnapshotSection
    /// How the information plane is estimated (`run`, `analyze`).
    public var analysis: AnalysisSettings
    /// The information-based stopping rule; nil (no `stopping:` section) trains every epoch.
    public var stopping: StoppingSection?

    /// Reads a config file, applying `overrides` (`key=value`, dotted keys) before validation.
    public static func load(path: String, overrides: [String] = []) throws -> ExperimentConfig {
        let tree = try ConfigTree.document(ofFile: path, shipped: "the configs/ directory has the shipped ones")
        let stem = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        return try ExperimentConfig(tree: applying(overrides, to: tree), source: path, defaultName: stem)
    }

    /// Parses config text; `source` names it in errors and `defaultName` is used when it has no `name`.
    public static func parse(yaml text: String, source: String, defaultName: String = "run",
                             overrides: [String] = []) throws -> ExperimentConfig {
        let tree = try applying(overrides, to: ConfigTree.parse(yaml: text, source: source))
        return try ExperimentConfig(tree: tree, source: source, defaultName: defaultName)
    }

    /// `tree` with the `--set key=value` overrides applied in order.
    private static func applying(_ overrides: [String], to tree: ConfigTree) throws -> ConfigTree {
        var tree = tree
        for override in overrides {
            guard let equals = override.firstIndex(of: "=") else {
                throw InfoPlaneError("--set \(override): write it as key=value, e.g. --set training.epochs=5")
            }
            try tree.set(path: String(override[..<equals]).trimmingCharacters(in: .whitespaces),
                         valueText: String(override[override.index(after: equals)...]))
        }
        return tree
    }

    /// Reads every section in file order (so the first problem reported is the first in the file's
    /// schema), then rejects unknown top-level keys.
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
        dataset = try DatasetSection(root.section("dataset"))
        model = try ModelSection(root.section("model"))
        training = try TrainingSection(root.section("training"))
        snapshots = try SnapshotSection(root.section("snapshots"), lastEpoch: training.epochs)
        analysis = try AnalysisSettings(root.section("analysis"), samples: dataset.evaluationSize, defaultSeed: seed)
        stopping = root.has("stopping")
            ? try StoppingSection(root.section("stopping"), hiddenLayers: model.recordedLayerCount,
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
        lines += dataset.canonicalLines + model.canonicalLines + training.canonicalLines + snapshots.canonicalLines
        lines += analysis.canonicalLines + (stopping?.canonicalLines ?? [])
        return lines.joined(separator: "\n") + "\n"
    }

    /// Lines of `canonicalText` that differ from `other`'s, as `key: ours ≠ theirs` (for resume).
    public func differences(from other: ExperimentConfig) -> [String] {
        CanonicalText.differences(canonicalText, other.canonicalText)
    }

    /// Copy `r` of this ensemble (its own training seed; same data, same analysis settings).
    public func copy(_ r: Int) -> ExperimentConfig {
        var config = self
        config.replica = r
        return config
    }
}
